import type { UpstreamErrorResponse, VendorError } from "@imagegen/provider-kit";
import type { BflErrorBody } from "./wire-types.ts";

/**
 * Reads BFL's error bodies (pure): FastAPI 422 `detail[]` become field violations named by
 * their body location; `{"detail": "<text>"}` and `{"error","message"}` give the message.
 */
export function mapBflError(response: UpstreamErrorResponse): VendorError {
  let body: BflErrorBody;
  try {
    body = JSON.parse(response.text) as BflErrorBody;
  } catch {
    return { message: response.text.slice(0, 200) || undefined };
  }
  if (Array.isArray(body.detail)) {
    const fieldViolations = body.detail.map((d) => ({
      field: (d.loc ?? []).filter((part: string | number) => part !== "body").join(".") || "body",
      description: d.msg ?? "invalid",
      rule: d.type ? `bfl.${d.type}` : undefined,
    }));
    return { message: fieldViolations.map((v) => `${v.field}: ${v.description}`).join("; "), fieldViolations };
  }
  const message = typeof body.detail === "string" ? body.detail : (body.message ?? body.error);
  return { message, moderated: Boolean(message && /moderat/i.test(message)) || undefined };
}
