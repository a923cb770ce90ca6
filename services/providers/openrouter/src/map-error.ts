/**
 * OpenRouter's error body `{"error":{code,message,metadata}}` → what it means for us. Pure. The
 * body matters where the status alone would mislead: a 403 from moderation is about the
 * caller's content (not our key), and 524 is an edge timeout, not an outage.
 */
import { ErrorReason } from "@imagegen/errors";
import type { OpenRouterErrorBody } from "./wire-types.ts";

/** The parts of an upstream answer the mapper reads (the kit's UpstreamErrorResponse). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly text: string;
}

/** What the body told us; `reason` undefined = the kit decides from the status. */
export interface OpenRouterVendorError {
  readonly reason?: ErrorReason;
  /** OpenRouter's moderation flagged the input (the kit reports it as a refused prompt). */
  readonly moderated?: boolean;
  readonly message?: string;
}

/** Classifies a non-2xx answer (or an in-band error of a 200), any body shape tolerated. */
export function mapOpenRouterError({ status, text }: UpstreamAnswer): OpenRouterVendorError {
  const error = errorOf(text);
  const metadata = error?.metadata ?? {};
  const moderated = Array.isArray(metadata.reasons) || typeof metadata.flagged_input === "string";
  if (status === 403 && moderated) {
    const why = Array.isArray(metadata.reasons) ? metadata.reasons.filter((r) => typeof r === "string").join(", ") : "";
    return { moderated: true, message: why ? `moderation flagged the input (${why})` : "moderation flagged the input" };
  }
  if (status === 524) return { reason: ErrorReason.TIMEOUT };
  return error?.message ? { message: error.message } : {};
}

function errorOf(text: string): Partial<OpenRouterErrorBody["error"]> | undefined {
  try {
    const body = JSON.parse(text) as Partial<OpenRouterErrorBody>;
    return typeof body?.error === "object" && body.error !== null ? body.error : undefined;
  } catch {
    return undefined;
  }
}
