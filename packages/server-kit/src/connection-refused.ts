import { Code, ConnectError } from "@connectrpc/connect";

/**
 * True when a client call failed because the TCP connection was refused: nothing listens there,
 * so the peer never received the call (safe to send elsewhere) and is not merely slow.
 */
export function wasConnectionRefused(error: unknown): boolean {
  if (!(error instanceof ConnectError) || error.code !== Code.Unavailable) return false;
  for (let cause: unknown = error.cause; cause; cause = (cause as { cause?: unknown }).cause) {
    if ((cause as { code?: unknown }).code === "ECONNREFUSED") return true;
  }
  return false;
}
