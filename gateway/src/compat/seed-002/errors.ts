import { describeError, PROMPT_REFUSAL_DETAILS } from "@imagegen/errors";
import { Seed002Error } from "./request.ts";

/** The seed's `error` object plus the HTTP status to send it with. */
export interface Seed002ErrorOut {
  readonly status: number;
  readonly error: { code: string; message: string; details: Record<string, unknown> };
  readonly retryAfterSeconds?: number;
}

// Reasons whose own name and status are kept: the seed's table has no code for them, and a
// client must be able to tell a bad key or a rate limit from a failed generation.
const KEPT = new Set(["UNAUTHORIZED", "FORBIDDEN", "RATE_LIMITED", "QUOTA_EXCEEDED", "PAYLOAD_TOO_LARGE"]);

/**
 * Maps any error to the seed's codes and its two statuses (400 for the request, 500 for the
 * rest): size violations → INVALID_SIZE, no usable provider → PROVIDER_NOT_CONFIGURED, unknown
 * model → MODEL_NOT_CONFIGURED, unexpected failures → INTERNAL_ERROR, others → TEXT2IMAGE_ERROR.
 */
export function renderSeed002Error(error: unknown): Seed002ErrorOut {
  if (error instanceof Seed002Error)
    return { status: error.status, error: { code: error.code, message: error.message, details: error.details } };
  const described = describeError(error);
  const name = described.row.name;
  const details: Record<string, unknown> = { reason: name };
  const field = described.fieldViolations[0]?.field;
  if (field) details.field = field;
  const out = (code: string, status: number): Seed002ErrorOut => ({
    status,
    error: { code, message: described.message, details },
    retryAfterSeconds: described.retryAfterSeconds,
  });
  if (KEPT.has(name)) return out(name, described.row.httpStatus);
  if (field === "parameters.width" || field === "parameters.height") return out("INVALID_SIZE", 400);
  if (described.metadata.reason === PROMPT_REFUSAL_DETAILS.reason) {
    // A refused prompt: our reason stays under `reason`, the seed-004 verdict beside it.
    Object.assign(details, {
      field: "prompt",
      detected: described.metadata.reason,
      suggestion: described.metadata.suggestion,
    });
    return out("TEXT2IMAGE_ERROR", 400);
  }
  if (field === "prompt" || name === "INVALID_PROMPT") return out("TEXT2IMAGE_ERROR", 400);
  if (name === "PROVIDER_NOT_CONFIGURED" || name === "MODEL_NOT_AVAILABLE") return out("PROVIDER_NOT_CONFIGURED", 500);
  if (name === "NOT_FOUND" && (described.metadata.use_case || described.metadata.model))
    return out("MODEL_NOT_CONFIGURED", 500);
  if (name === "INTERNAL" || name === "UNAVAILABLE") return out("INTERNAL_ERROR", 500);
  return out("TEXT2IMAGE_ERROR", described.row.httpStatus < 500 ? 400 : 500);
}
