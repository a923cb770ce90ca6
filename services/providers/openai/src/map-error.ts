/**
 * OpenAI's error object → what it means for us. Pure. Only what the body says beyond the HTTP
 * status lives here (content policy, exhausted billing); the kit's one status table decides the
 * rest, and never relays vendor text for 401/403 (OpenAI's 401 quotes part of our key).
 */
import { ErrorReason, type FieldViolation } from "@imagegen/errors";
import type { OpenAiErrorResponse } from "./wire-types.ts";

/** The parts of an upstream answer the mapper reads (the kit's UpstreamErrorResponse). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly text: string;
}

/** What the body told us; `reason` undefined = the kit decides from the status. */
export interface OpenAiVendorError {
  readonly reason?: ErrorReason;
  /** OpenAI's safety system refused the content (the kit reports it as a refused prompt). */
  readonly moderated?: boolean;
  readonly message?: string;
  readonly fieldViolations?: readonly FieldViolation[];
}

const POLICY_CODES = new Set(["content_policy_violation", "moderation_blocked"]);
// Billing is this deployment's problem, never the caller's: same reason as a refused key.
const BILLING_CODES = new Set(["insufficient_quota", "billing_hard_limit_reached", "billing_not_active"]);

/** Classifies a non-2xx answer from its `{"error":{message,type,param,code}}` body (any shape tolerated). */
export function mapOpenAiError({ status, text }: UpstreamAnswer): OpenAiVendorError {
  const error = errorObject(text);
  if (!error) return {};
  const code = error.code ?? "";
  if (BILLING_CODES.has(code) || error.type === "insufficient_quota") return { reason: ErrorReason.UPSTREAM_AUTH };
  if (POLICY_CODES.has(code)) {
    return { moderated: true, message: "OpenAI's safety system rejected the request" };
  }
  const fieldViolations =
    error.param && status < 500
      ? [{ field: error.param, description: error.message ?? "rejected by OpenAI" }]
      : undefined;
  return { message: error.message ?? undefined, fieldViolations };
}

function errorObject(text: string): Partial<OpenAiErrorResponse["error"]> | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    message: str(e.message) ?? undefined,
    type: str(e.type) ?? undefined,
    code: str(e.code),
    param: str(e.param),
  };
}
