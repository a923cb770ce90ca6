import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { sendJson } from "../../http/respond.ts";

/**
 * Sends a compat body with the front's client-visible headers (rate limits, quotas,
 * Retry-After) so every profile meters exactly like the canonical API.
 */
export function sendCompatJson(
  req: NodeRequest,
  res: NodeResponse,
  status: number,
  body: unknown,
  frontHeaders: Headers,
): void {
  sendJson(req, res, status, body, frontHeaders);
}

/** Route matching by exact path and method; compat paths have no templates. */
export function isRoute(req: NodeRequest, url: URL, method: string, path: string): boolean {
  return req.method === method && url.pathname === path;
}

/** An error already rendered in a profile's own shape. */
export interface RenderedError {
  readonly status: number;
  readonly body: unknown;
  readonly retryAfterSeconds?: number;
}

/** Sends a profile's rendered error with Retry-After when the error carries a retry hint. */
export function sendCompatError(
  req: NodeRequest,
  res: NodeResponse,
  rendered: RenderedError,
  frontHeaders: Headers,
): void {
  if (rendered.retryAfterSeconds !== undefined) frontHeaders.set("retry-after", String(rendered.retryAfterSeconds));
  if (!res.headersSent) sendJson(req, res, rendered.status, rendered.body, frontHeaders);
}
