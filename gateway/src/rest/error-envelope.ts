import type { DescribedError } from "@imagegen/errors";

/**
 * Where the envelope's documentation_url points: the errors page this deployment serves, as an
 * absolute URL like the seed's (built on IMAGEGEN_PUBLIC_URL, the base of every URL we answer
 * with), or IMAGEGEN_DOCS_URL when the docs live elsewhere.
 */
const DOCS_BASE =
  process.env.IMAGEGEN_DOCS_URL ??
  `${(process.env.IMAGEGEN_PUBLIC_URL ?? `http://localhost:${process.env.IMAGEGEN_PORT ?? 8080}`).replace(/\/+$/, "")}/docs/errors`;

/**
 * The seed-004 error body:
 * {"error":{"type","code","message","details","request_id","documentation_url"}}.
 * `details` carries the first offending field as {field, reason, suggestion} like the seed,
 * plus every violation under `violations` and the error's own metadata.
 */
export function renderErrorEnvelope(error: DescribedError, requestId: string): { error: Record<string, unknown> } {
  const details: Record<string, unknown> = { ...error.metadata };
  const first = error.fieldViolations[0];
  if (first) {
    details.field = first.field;
    details.reason = first.rule ?? "invalid";
    details.suggestion = first.description;
    details.violations = error.fieldViolations.map((v) => ({
      field: v.field,
      reason: v.rule ?? "invalid",
      message: v.description,
    }));
  }
  if (error.retryAfterSeconds !== undefined) details.retry_after_seconds = error.retryAfterSeconds;
  return {
    error: {
      type: error.row.type,
      code: error.row.name,
      message: error.message,
      details,
      request_id: requestId,
      documentation_url: `${DOCS_BASE}#${error.row.name}`,
    },
  };
}
