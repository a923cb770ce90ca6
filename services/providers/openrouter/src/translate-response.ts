/**
 * OpenRouter 200 answers → result locations (data URLs or http URLs; the kit's download decodes
 * or fetches them). Pure. OpenRouter reports some failures in-band, inside a 200: an `error`
 * key, `finish_reason: "content_filter"`, or simply no image — none of them is an empty success.
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import { contentPolicy } from "@imagegen/provider-kit";
import type { ChatResult, ImagesResponse, OpenRouterErrorBody } from "./wire-types.ts";

/** What a 200 meant: images to fetch, or an error reported in-band (mapped like a non-2xx). */
export type OpenRouterOutcome =
  | { readonly ok: true; readonly locations: readonly string[]; readonly costUsd?: number }
  | { readonly ok: false; readonly status: number; readonly text: string };

/** Reads a `/chat/completions` 200. */
export function translateChatResponse(body: unknown): OpenRouterOutcome {
  const result = requireObject(body) as ChatResult;
  const inBand = inBandError(result.error);
  if (inBand) return inBand;
  const choice = Array.isArray(result.choices) ? result.choices[0] : undefined;
  if (choice?.finish_reason === "content_filter") {
    throw contentPolicy("openrouter", "its model refused the prompt (content filter)");
  }
  const images = Array.isArray(choice?.message?.images) ? choice.message.images : [];
  const locations = images
    .map((i) => i?.image_url?.url)
    .filter((u): u is string => typeof u === "string" && u.length > 0);
  if (locations.length === 0) {
    // The model answered with words only (it did not take the prompt as a drawing request).
    throw badResponse(
      choice?.finish_reason === "error" ? "a failed completion" : "a chat completion without any image",
    );
  }
  return { ok: true, locations };
}

/** Reads an `/images` 200. */
export function translateImagesResponse(body: unknown): OpenRouterOutcome {
  const result = requireObject(body) as ImagesResponse;
  const inBand = inBandError(result.error);
  if (inBand) return inBand;
  const data = Array.isArray(result.data) ? result.data : [];
  const locations = data
    .filter((d) => typeof d?.b64_json === "string" && d.b64_json.length > 0)
    .map((d) => `data:${d.media_type ?? "image/png"};base64,${d.b64_json}`);
  if (locations.length === 0) throw badResponse("an images response without any image");
  const cost = result.usage?.cost;
  return { ok: true, locations, costUsd: typeof cost === "number" && cost > 0 ? cost : undefined };
}

function inBandError(error: OpenRouterErrorBody["error"] | undefined): OpenRouterOutcome | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = Number(error.code);
  // A non-HTTP code (or none) is the provider failing mid-generation: a bad gateway.
  const status = Number.isInteger(code) && code >= 400 && code <= 599 ? code : 502;
  return { ok: false, status, text: JSON.stringify({ error }) };
}

function requireObject(body: unknown): object {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badResponse("a body that is not a JSON object");
  return body;
}

function badResponse(what: string) {
  return apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, `provider openrouter answered with ${what}`, {
    metadata: { provider: "openrouter" },
  });
}
