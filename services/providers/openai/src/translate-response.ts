/**
 * OpenAI `ImagesResponse` → the images to hand back. Pure: base64 is decoded here, hosted URLs
 * (DALL·E, or a compatible server that ignores `response_format`) are returned for the kit to
 * download at once, since they expire after 60 minutes.
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { OpenAiImagesResponse } from "./wire-types.ts";
import { formatOfName } from "@imagegen/provider-kit";

/** One result image: bytes already in hand, or a URL still to download. */
export type OpenAiResult =
  | { readonly kind: "bytes"; readonly data: Uint8Array; readonly format: Format }
  | { readonly kind: "url"; readonly url: string };

/**
 * Reads a 200 body. A body that is not an ImagesResponse, or one without a single image, is
 * UPSTREAM_BAD_RESPONSE: an empty success is a provider fault, never "zero images".
 */
export function translateOpenAiResponse(body: unknown, requested: Format): OpenAiResult[] {
  if (!isImagesResponse(body)) throw badResponse("OpenAI answered 200 without an ImagesResponse body");
  const data = body.data ?? [];
  if (data.length === 0) throw badResponse("OpenAI answered 200 without any image");
  const format =
    (body.output_format && formatOfName(body.output_format)) ??
    (requested === Format.UNSPECIFIED ? Format.PNG : requested);
  return data.map((item, index): OpenAiResult => {
    if (typeof item.b64_json === "string" && item.b64_json.length > 0) {
      return { kind: "bytes", data: Buffer.from(item.b64_json, "base64"), format };
    }
    if (typeof item.url === "string" && /^https?:\/\//.test(item.url)) return { kind: "url", url: item.url };
    throw badResponse(`OpenAI image ${index} has neither b64_json nor an http(s) url`);
  });
}

function isImagesResponse(body: unknown): body is OpenAiImagesResponse {
  if (typeof body !== "object" || body === null) return false;
  const data = (body as { data?: unknown }).data;
  return data === undefined || (Array.isArray(data) && data.every((d) => typeof d === "object" && d !== null));
}

function badResponse(message: string) {
  return apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, message);
}
