import { Code, ConnectError } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";

/** Sleeps `ms`, or rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real, abortable sleep. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });

/** True when `signal` was aborted by the RPC deadline rather than by the caller. */
export function abortedByDeadline(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return reason instanceof ConnectError && reason.code === Code.DeadlineExceeded;
}

/**
 * The error for an aborted job: TIMEOUT when the RPC deadline passed, CANCELED when the caller
 * went away. `provider` names who was slow.
 */
export function abortError(signal: AbortSignal, provider: string): ConnectError {
  return abortedByDeadline(signal)
    ? apiError(ErrorReason.TIMEOUT, `provider ${provider} did not finish before the deadline`, {
        metadata: { provider },
      })
    : apiError(ErrorReason.CANCELED, "the request was canceled", { metadata: { provider } });
}
