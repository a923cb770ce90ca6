import { apiError, ErrorReason, promptRefusal, type FieldViolation } from "@imagegen/errors";
import type { ConnectError } from "@connectrpc/connect";
import type { ResponseHeaders } from "./response-headers.ts";

/** A non-2xx answer from the vendor, as the provider's pure error mapper sees it. */
export interface UpstreamErrorResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The body as text (possibly empty or not JSON). */
  readonly text: string;
}

/** What a vendor's error mapper read out of its error body. Everything here is optional. */
export interface VendorError {
  /** The vendor's own words; relayed (redacted, truncated) for 4xx the caller can act on. */
  readonly message?: string;
  /** Overrides the status-based reason, e.g. a 422 "invalid_language" → INVALID_PROMPT. */
  readonly reason?: ErrorReason;
  /**
   * The vendor's moderation refused the content (OpenAI `moderation_blocked`, Stability
   * `content_moderation`, …): reported like our own refusal (INVALID_PROMPT, nsfw_content_detected).
   */
  readonly moderated?: boolean;
  /**
   * The vendor's own short title and detail of the error (Replicate's problem+json), kept apart
   * for surfaces that show them as such (seed 001). The title is always relayed; the detail
   * replaces `message` as the relayed `upstream_message`.
   */
  readonly title?: string;
  readonly detail?: string;
  /** Vendor field errors (Replicate `invalid_fields`, FastAPI `detail[]`), in vendor terms. */
  readonly fieldViolations?: readonly FieldViolation[];
}

/** Maps one vendor error body; pure, no I/O. */
export type VendorErrorMapper = (response: UpstreamErrorResponse) => VendorError;

const MAX_VENDOR_TEXT = 500;

/**
 * The one status → reason table every provider shares. The vendor's 401/403/402 are OUR
 * credential or billing problem: an operator must act, so the caller is never blamed and never
 * sees a 401 (UPSTREAM_AUTH is UNAVAILABLE/502).
 */
export function reasonForStatus(status: number): ErrorReason {
  if (status === 401 || status === 403 || status === 402) return ErrorReason.UPSTREAM_AUTH;
  if (status === 429) return ErrorReason.UPSTREAM_RATE_LIMITED;
  if (status === 404) return ErrorReason.MODEL_NOT_AVAILABLE;
  if (status === 408 || status === 504) return ErrorReason.TIMEOUT;
  if (status >= 500) return ErrorReason.UPSTREAM_UNAVAILABLE;
  if (status >= 400) return ErrorReason.UPSTREAM_INVALID_REQUEST;
  return ErrorReason.UPSTREAM_BAD_RESPONSE;
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date); undefined when absent or bad. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Everything needed to turn an upstream failure into our error. */
export interface UpstreamFailure {
  readonly provider: string;
  readonly response: UpstreamErrorResponse;
  readonly vendor: VendorError;
  readonly redact: (text: string) => string;
}

/**
 * Builds the error for a vendor's non-2xx answer: reason from the status (or the mapper), a
 * message that says whose fault it is, vendor text relayed only where the caller can act on it.
 */
export function upstreamError({ provider, response, vendor, redact }: UpstreamFailure): ConnectError {
  const reason = vendor.reason ?? reasonForStatus(response.status);
  const vendorText = vendor.message ? redact(vendor.message).trim().slice(0, MAX_VENDOR_TEXT) : "";
  const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"));
  const metadata: Record<string, string> = { provider, upstream_status: String(response.status) };
  if (vendor.title) metadata.upstream_title = redact(vendor.title).trim().slice(0, 100);
  const said = vendorText ? `: ${vendorText}` : "";
  // The vendor's own words (redacted) travel beside our reason as `upstream_message` (seed 000:
  // "relay errors from the provider"), except where they talk about our credentials or billing
  // (401/402/403: OpenAI's 401 quotes part of our key) or our account's rate limits (429).
  const vendorWords = vendor.detail ?? vendor.message;
  const withVendorWords = (): Record<string, string> =>
    vendorWords ? { ...metadata, upstream_message: redact(vendorWords).trim().slice(0, MAX_VENDOR_TEXT) } : metadata;
  if (vendor.moderated) return contentPolicy(provider, vendorText || `refused (HTTP ${response.status})`);
  switch (reason) {
    case ErrorReason.UPSTREAM_AUTH:
      // Never relay the vendor's words here: they talk about "your token", which is ours.
      return apiError(
        reason,
        `provider ${provider} refused this service's credentials or billing (HTTP ${response.status}); an operator must fix the ${provider} configuration — nothing is wrong with your request`,
        { metadata },
      );
    case ErrorReason.UPSTREAM_RATE_LIMITED:
      return apiError(reason, `provider ${provider} is rate limiting this service; retry later`, {
        metadata,
        retryAfterSeconds: retryAfterSeconds ?? 10,
      });
    case ErrorReason.UPSTREAM_UNAVAILABLE:
      return apiError(reason, `provider ${provider} is unavailable (HTTP ${response.status})`, {
        metadata: withVendorWords(),
        retryAfterSeconds,
      });
    case ErrorReason.TIMEOUT:
      return apiError(reason, `provider ${provider} timed out (HTTP ${response.status})`, {
        metadata: withVendorWords(),
      });
    case ErrorReason.MODEL_NOT_AVAILABLE:
      return apiError(reason, `provider ${provider} does not know this model or resource (HTTP 404)${said}`, {
        metadata: withVendorWords(),
      });
    default:
      return apiError(reason, `provider ${provider} rejected the request${said}`, {
        metadata: withVendorWords(),
        fieldViolations: vendor.fieldViolations?.map((v) => ({
          ...v,
          description: redact(v.description).slice(0, MAX_VENDOR_TEXT),
        })),
      });
  }
}

/** UPSTREAM_BAD_RESPONSE: the vendor answered success with something we cannot use. */
export function badResponse(provider: string, what: string): ConnectError {
  return apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, `provider ${provider} answered with ${what}`, {
    metadata: { provider },
  });
}

/**
 * The vendor's moderation refused the prompt, an input image or the result: the same answer as
 * our own moderation's (INVALID_PROMPT, details.reason nsfw_content_detected), naming the vendor.
 */
export function contentPolicy(provider: string, what: string): ConnectError {
  return promptRefusal(`provider ${provider} refused this content: ${what.slice(0, MAX_VENDOR_TEXT)}`, { provider });
}

/** GENERATION_FAILED: the vendor accepted the job and then reported that it failed. */
export function generationFailed(provider: string, what: string): ConnectError {
  return apiError(
    ErrorReason.GENERATION_FAILED,
    `provider ${provider} failed to generate: ${what.slice(0, MAX_VENDOR_TEXT)}`,
    {
      metadata: { provider },
    },
  );
}
