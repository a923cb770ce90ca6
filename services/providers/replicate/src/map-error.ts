import type { UpstreamErrorResponse, VendorError } from "@imagegen/provider-kit";
import type { ReplicateProblem } from "./wire-types.ts";

/** Replicate's moderation wording (E005), in a failed prediction or an error body. */
export const MODERATION = /flagged as sensitive|\(E005\)|nsfw/i;

/**
 * Reads Replicate's problem+json (pure): `detail` (else `title`) is the message; 422
 * `invalid_fields` become field violations in Replicate's own terms (`input.output_format`).
 */
export function mapReplicateError(response: UpstreamErrorResponse): VendorError {
  let problem: ReplicateProblem = {};
  try {
    problem = JSON.parse(response.text) as ReplicateProblem;
  } catch {
    return { message: response.text.slice(0, 200) || undefined };
  }
  const message = [problem.title, problem.detail?.trim()].filter(Boolean).join(": ") || undefined;
  const fieldViolations = (problem.invalid_fields ?? []).map((f) => ({
    field: f.field || "input",
    description: f.description ?? f.type ?? "invalid",
    rule: f.type ? `replicate.${f.type}` : undefined,
  }));
  return {
    message,
    title: problem.title?.trim() || undefined,
    detail: problem.detail?.trim() || undefined,
    moderated: Boolean(message && MODERATION.test(message)) || undefined,
    fieldViolations: fieldViolations.length ? fieldViolations : undefined,
  };
}
