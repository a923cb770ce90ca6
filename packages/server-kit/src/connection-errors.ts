import { Code, ConnectError } from "@connectrpc/connect";

/** The first system error code (e.g. "ECONNRESET") in an error's cause chain, if any. */
export function connectionErrorCode(error: unknown): string | undefined {
  for (
    let cause: unknown = (error as { cause?: unknown } | undefined)?.cause;
    cause;
    cause = (cause as { cause?: unknown }).cause
  ) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * True when a client call failed because the TCP connection was refused: nothing listens there,
 * so the peer never received the call (safe to send elsewhere) and is not merely slow.
 */
export function wasConnectionRefused(error: unknown): boolean {
  return (
    error instanceof ConnectError && error.code === Code.Unavailable && connectionErrorCode(error) === "ECONNREFUSED"
  );
}

/** True when the connection broke under a call (reset, refused, timed out, HTTP/2 session error). */
export function lostConnection(error: unknown): boolean {
  return /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ERR_HTTP2_)/.test(connectionErrorCode(error) ?? "");
}
