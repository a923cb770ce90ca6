/**
 * Stability v2beta answers → our images. Pure. A sync success is raw bytes plus `finish-reason`
 * and `seed` headers (or the JSON encoding, if a server ignores `accept`); CONTENT_FILTERED is
 * a 200 whose image moderation blurred, which we refuse as a content-policy error rather than
 * hand a blurred picture to the caller.
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import { contentPolicy } from "@imagegen/provider-kit";
import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { StabilityImageAnswer, StabilityImageJson } from "./wire-types.ts";
import { formatOfMediaType } from "@imagegen/provider-kit";

/** One image Stability produced. */
export interface StabilityResult {
  readonly data: Uint8Array;
  readonly format: Format;
  readonly seed?: number;
}

/** What one poll of /v2beta/results/{id} says. */
export type StabilityPoll =
  | { readonly state: "running" }
  | { readonly state: "done"; readonly result: StabilityResult };

/** Reads a sync 200 (or a finished async result). */
export function translateStabilityImage(answer: StabilityImageAnswer): StabilityResult {
  const mediaType = answer.contentType.split(";")[0]!.trim().toLowerCase();
  if (mediaType === "application/json") return fromJson(answer);
  const format = formatOfMediaType(mediaType);
  if (format === undefined) throw badResponse(`an unexpected content type "${mediaType.slice(0, 60)}"`);
  if (answer.body.length === 0) throw badResponse("an empty image body");
  checkFinishReason(answer.finishReason);
  return { data: answer.body, format, seed: seedOf(answer.seed) };
}

/** Reads the submit answer of an async endpoint: `{"id": "<64 hex>"}`. */
export function translateStabilitySubmit(body: unknown): string {
  const id = typeof body === "object" && body !== null ? (body as { id?: unknown }).id : undefined;
  if (typeof id !== "string" || !/^[0-9a-f]{64}$/i.test(id))
    throw badResponse("an async submit answer without a job id");
  return id;
}

/** Reads one poll: 202 is still running, 200 carries the image. */
export function translateStabilityPoll(status: number, answer: StabilityImageAnswer): StabilityPoll {
  if (status === 202) return { state: "running" };
  if (status === 200) return { state: "done", result: translateStabilityImage(answer) };
  throw badResponse(`HTTP ${status} while polling a result`);
}

function fromJson(answer: StabilityImageAnswer): StabilityResult {
  let body: Partial<StabilityImageJson>;
  try {
    body = JSON.parse(Buffer.from(answer.body).toString("utf8")) as Partial<StabilityImageJson>;
  } catch {
    throw badResponse("a malformed JSON body");
  }
  if (typeof body !== "object" || body === null || typeof body.image !== "string" || body.image.length === 0) {
    throw badResponse("a JSON body without an image");
  }
  checkFinishReason(body.finish_reason ?? null);
  // `application/json; type=image/png` names the image's format.
  const inner = /type=(image\/[a-z]+)/i.exec(answer.contentType)?.[1]?.toLowerCase();
  const seed = typeof body.seed === "number" ? body.seed : undefined;
  return { data: Buffer.from(body.image, "base64"), format: (inner && formatOfMediaType(inner)) || Format.PNG, seed };
}

function checkFinishReason(reason: string | null): void {
  if (reason === "CONTENT_FILTERED") {
    throw contentPolicy("stability", "its content moderation filtered the result");
  }
  // Absent (a compatible server) or SUCCESS: fine. Anything else is a state we do not know.
  if (reason !== null && reason !== "SUCCESS") throw badResponse(`an unknown finish-reason "${reason.slice(0, 40)}"`);
}

function seedOf(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  const seed = Number(header);
  return seed <= 0xffffffff ? seed : undefined;
}

function badResponse(what: string) {
  return apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, `provider stability answered with ${what}`, {
    metadata: { provider: "stability" },
  });
}
