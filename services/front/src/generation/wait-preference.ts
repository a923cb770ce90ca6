/**
 * How long a create call waits for its generation, from the RFC 7240 `Prefer` header:
 * `respond-async` answers at once (HTTP 202 with the pending generation), `wait=N` waits up to
 * N seconds, and no preference waits the server's bound. Never longer than the bound.
 */
export function waitMsFor(prefer: string | null, boundMs: number): number {
  if (!prefer) return boundMs;
  const tokens = prefer.toLowerCase().split(/\s*[,;]\s*/);
  if (tokens.includes("respond-async")) return 0;
  const wait = tokens.find((t) => t.startsWith("wait="));
  const seconds = wait ? Number(wait.slice(5)) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, boundMs) : boundMs;
}
