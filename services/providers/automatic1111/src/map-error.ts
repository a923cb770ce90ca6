/**
 * A1111's two error shapes → what they mean for us. Pure. Its 404s are about the request
 * ("Sampler not found", "Init image not found"), not an unknown model, and its 500s name the
 * exception, so the body must refine the kit's status table.
 */
import { ErrorReason, type FieldViolation } from "@imagegen/errors";
import type { A1111ErrorEnvelope, FastApiValidationError } from "./wire-types.ts";

/** The parts of an upstream answer the mapper reads (the kit's UpstreamErrorResponse). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly text: string;
}

/** What the body told us; `reason` undefined = the kit decides from the status. */
export interface A1111VendorError {
  readonly reason?: ErrorReason;
  readonly message?: string;
  readonly fieldViolations?: readonly FieldViolation[];
}

const BY_DETAIL: { readonly match: RegExp; readonly reason: ErrorReason; readonly field?: string }[] = [
  { match: /^Sampler not found/i, reason: ErrorReason.INVALID_REQUEST, field: "sampler" },
  { match: /^Init image not found/i, reason: ErrorReason.INVALID_IMAGE, field: "init_image" },
  { match: /^Invalid encoded image/i, reason: ErrorReason.INVALID_IMAGE, field: "init_image" },
  { match: /^Script '.*' not found|^always on script/i, reason: ErrorReason.UPSTREAM_INVALID_REQUEST },
];

/** Classifies a non-2xx answer, any body shape tolerated. */
export function mapA1111Error({ status, text }: UpstreamAnswer): A1111VendorError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== "object" || body === null) return {};
  if (Array.isArray((body as FastApiValidationError).detail)) return fromValidation(body as FastApiValidationError);
  const envelope = body as Partial<A1111ErrorEnvelope>;
  const detail = typeof envelope.detail === "string" ? envelope.detail : "";
  const known = BY_DETAIL.find((k) => k.match.test(detail));
  if (known) {
    return {
      reason: known.reason,
      message: detail,
      fieldViolations: known.field ? [{ field: known.field, description: detail }] : undefined,
    };
  }
  // A crash (OutOfMemoryError, RuntimeError…): the class name and text help an operator.
  const what = [envelope.error, detail || envelope.errors].filter((s) => typeof s === "string" && s).join(": ");
  return what ? { message: status >= 500 ? what.slice(0, 200) : what } : {};
}

function fromValidation(body: FastApiValidationError): A1111VendorError {
  const fieldViolations = body.detail
    .filter((d) => typeof d?.msg === "string")
    .map((d) => ({
      field: (Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body") : []).join(".") || "body",
      description: d.msg,
    }));
  return {
    message: fieldViolations.map((v) => `${v.field}: ${v.description}`).join("; ") || undefined,
    fieldViolations,
  };
}
