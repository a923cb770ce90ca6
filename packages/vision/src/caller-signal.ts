/**
 * Calls `leave` once when the caller's `signal` aborts (its cancel or RPC deadline) and returns the
 * function that stops listening, for when the request settles first. The worker pools use it so a
 * request nobody waits for any more leaves their queue instead of holding its place.
 */
export function onCallerGone(signal: AbortSignal | undefined, leave: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener("abort", leave, { once: true });
  return () => signal.removeEventListener("abort", leave);
}
