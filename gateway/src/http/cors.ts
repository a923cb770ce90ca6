import type { NodeRequest, NodeResponse } from "./respond.ts";

/** Request headers a browser may send cross-origin (deploy/envoy/envoy.yaml's gRPC-Web routes allow the same). */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  "authorization",
  "x-api-key",
  "content-type",
  "idempotency-key",
  "prefer",
  "x-request-id",
  "x-client-version",
  "traceparent",
  "tracestate",
  "baggage",
  // Connect, gRPC-Web
  "connect-protocol-version",
  "connect-timeout-ms",
  "x-grpc-web",
  "x-user-agent",
  "grpc-timeout",
];
const ALLOWED_HEADERS = CORS_ALLOWED_HEADERS.join(", ");

/** Response headers a page may read (deploy/envoy/envoy.yaml's gRPC-Web routes expose the same). */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  "x-request-id",
  "retry-after",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-reset-after",
  "x-quota-limit",
  "x-quota-remaining",
  "x-quota-reset",
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
];
const EXPOSED_HEADERS = CORS_EXPOSED_HEADERS.join(", ");

/**
 * CORS for browser clients (Connect-Web, the playground, REST from a page). API keys travel in
 * headers, never cookies, so allowing any origin exposes nothing a page could not already send;
 * IMAGEGEN_CORS_ORIGINS narrows it to a comma list. Returns true when it answered a preflight.
 */
export function applyCors(req: NodeRequest, res: NodeResponse, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== "string") return false;
  if (!allowedOrigins.includes("*") && !allowedOrigins.includes(origin)) return false;
  res.setHeader("access-control-allow-origin", allowedOrigins.includes("*") ? "*" : origin);
  res.setHeader("vary", "origin");
  res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
  if (req.method !== "OPTIONS" || !req.headers["access-control-request-method"]) return false;
  res.setHeader("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
  res.setHeader("access-control-max-age", "7200");
  res.statusCode = 204;
  res.end();
  return true;
}
