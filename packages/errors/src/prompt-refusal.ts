import type { ConnectError } from "@connectrpc/connect";
import { ErrorReason } from "@imagegen/proto/imagegen/v1/errors_pb";
import { apiError } from "./api-error.ts";

/** Seed 004's words for a refused prompt (its INVALID_PROMPT example). */
export const PROMPT_REFUSAL_MESSAGE = "The prompt contains prohibited content";

/**
 * Seed 004's `details` of a refused prompt, carried as ErrorInfo metadata so that every surface
 * renders the same three keys in this order (the REST envelope copies metadata into `details`).
 */
export const PROMPT_REFUSAL_DETAILS: Readonly<Record<string, string>> = {
  field: "prompt",
  reason: "nsfw_content_detected",
  suggestion: "Please modify your prompt to remove inappropriate content",
};

/**
 * INVALID_PROMPT for content that a moderation (ours, or a vendor's) refused. `metadata` adds
 * short, secret-free context after the seed's keys (e.g. which provider refused).
 */
export function promptRefusal(message = PROMPT_REFUSAL_MESSAGE, metadata: Record<string, string> = {}): ConnectError {
  return apiError(ErrorReason.INVALID_PROMPT, message, { metadata: { ...PROMPT_REFUSAL_DETAILS, ...metadata } });
}
