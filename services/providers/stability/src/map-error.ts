/**
 * Stability's v2beta error envelope `{id, name, errors[]}` → what it means for us. Pure. The
 * body matters most on 403 and 422: there they are moderation verdicts on the caller's content,
 * not a problem with our key, so the kit's status table must not decide alone.
 */
import { ErrorReason, type FieldViolation } from "@imagegen/errors";
import type { StabilityErrorResponse } from "./wire-types.ts";

/** The parts of an upstream answer the mapper reads (the kit's UpstreamErrorResponse). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly text: string;
}

/** What the body told us; `reason` undefined = the kit decides from the status. */
export interface StabilityVendorError {
  readonly reason?: ErrorReason;
  /** Stability's moderation refused the content (the kit reports it as a refused prompt). */
  readonly moderated?: boolean;
  readonly message?: string;
  readonly fieldViolations?: readonly FieldViolation[];
}

// Moderation verdicts on the caller's content, not a problem with our key.
const MODERATION = new Set(["content_moderation", "public_figure"]);
const REASONS: Record<string, ErrorReason> = {
  invalid_language: ErrorReason.INVALID_PROMPT,
  payload_too_large: ErrorReason.PAYLOAD_TOO_LARGE,
  generation_not_found: ErrorReason.NOT_FOUND,
};

/** Classifies a non-2xx answer (any body shape tolerated). */
export function mapStabilityError({ text }: UpstreamAnswer): StabilityVendorError {
  const body = envelope(text);
  if (!body) return {};
  const message = body.errors.join("; ") || undefined;
  const reason = REASONS[body.name];
  // "field: what is wrong" is how v2beta names the field at fault.
  const fieldViolations = body.errors
    .map((e) => /^([a-z_]+): (.+)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== "authorization")
    .map((m) => ({ field: m[1]!, description: m[2]! }));
  if (MODERATION.has(body.name)) return { moderated: true, message };
  return { reason, message, fieldViolations: fieldViolations.length ? fieldViolations : undefined };
}

function envelope(text: string): StabilityErrorResponse | undefined {
  try {
    const body = JSON.parse(text) as Partial<StabilityErrorResponse>;
    if (typeof body !== "object" || body === null || typeof body.name !== "string") return undefined;
    const errors = Array.isArray(body.errors) ? body.errors.filter((e): e is string => typeof e === "string") : [];
    return { id: String(body.id ?? ""), name: body.name, errors };
  } catch {
    return undefined;
  }
}
