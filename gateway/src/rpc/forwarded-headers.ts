/**
 * The request headers the gateway passes to the front service. Everything else a client sends
 * stays at the edge (cookies, hop-by-hop headers, spoofable internal headers).
 */
export const FORWARDED_REQUEST_HEADERS = [
  "authorization",
  "x-api-key",
  "idempotency-key",
  "prefer",
  "traceparent",
  "tracestate",
  "baggage",
  "user-agent",
  "x-client-version",
] as const;

/** The response headers of the front service a client may see (metering and retry hints). */
const EXPOSED_RESPONSE_HEADER = /^(x-ratelimit-|x-quota-|retry-after$|x-cache|x-generation-)/;

/** Headers of a client request (node's lower-cased record or a fetch Headers) → headers for the front. */
export function headersForFront(incoming: Headers, requestId: string, clientIp: string | undefined): Headers {
  const out = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming.get(name);
    if (value !== null) out.set(name, value);
  }
  out.set("x-request-id", requestId);
  // The client address as the edge saw it; any client-sent value is dropped above.
  if (clientIp) out.set("x-forwarded-for", clientIp);
  return out;
}

/** Copies the client-visible headers of a front response onto `target`. */
export function copyExposedHeaders(from: Headers, target: Headers): void {
  from.forEach((value, name) => {
    if (EXPOSED_RESPONSE_HEADER.test(name)) target.set(name, value);
  });
}

/** True for a response header a client may see. */
export function isExposedHeader(name: string): boolean {
  return EXPOSED_RESPONSE_HEADER.test(name.toLowerCase());
}
