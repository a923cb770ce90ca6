/**
 * Stability AI REST v2beta wire types (Stable Image). Requests are multipart/form-data only;
 * sync answers are raw image bytes (`accept: image/*`) with `finish-reason` and `seed` headers,
 * or JSON `{image, seed, finish_reason}` when a server ignores `accept`. See stability.md.
 */

// Multipart parts are the kit's (one shape for every vendor that takes files).
import type { MultipartPart } from "@imagegen/provider-kit";
export type { MultipartPart };

/** A request the translator wants sent: POST `path` under the base URL with `parts`. */
export interface StabilityCall {
  readonly path: string;
  readonly parts: readonly MultipartPart[];
  /** True when the endpoint answers `{"id"}` and the image is fetched from /v2beta/results/{id}. */
  readonly async: boolean;
}

/** Path of the results endpoint polled for async jobs (same API key, 202 while in progress). */
export function resultsPath(id: string): string {
  return `/v2beta/results/${encodeURIComponent(id)}`;
}

/** `finish-reason` header / `finish_reason` JSON field. */
export type StabilityFinishReason = "SUCCESS" | "CONTENT_FILTERED";

/** The JSON encoding of a sync success (`accept: application/json`). */
export interface StabilityImageJson {
  image: string;
  finish_reason: StabilityFinishReason;
  seed?: number;
}

/** A success as the transport saw it: content type, the two metadata headers, the body bytes. */
export interface StabilityImageAnswer {
  readonly contentType: string;
  readonly finishReason: string | null;
  readonly seed: string | null;
  readonly body: Uint8Array;
}

/** Submit answer of an async endpoint; the id is 64 hex characters. */
export interface StabilityAsyncSubmit {
  id: string;
}

/** `/v2beta/results/{id}` answer while the job runs (HTTP 202). */
export interface StabilityInProgress {
  id: string;
  status: "in-progress";
}

/** The v2beta error envelope: a support id, a short machine name, and human sentences. */
export interface StabilityErrorResponse {
  id: string;
  name: string;
  errors: string[];
}
