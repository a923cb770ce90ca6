import type { ConnectError } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";

/** A shared state backend the front depends on for every request. */
export type StateBackend = "PostgreSQL" | "Redis";

/**
 * What a request gets while a state backend cannot be reached (restarting, failing over, gone):
 * 503 UNAVAILABLE, which clients know to retry, instead of a 500 that reads as our bug. The
 * message names the backend, never its address or credentials.
 */
export function stateUnavailable(backend: StateBackend, cause: unknown): ConnectError {
  return apiError(ErrorReason.UNAVAILABLE, `the state store (${backend}) is unavailable; retry shortly`, {
    retryAfterSeconds: 1,
    cause,
  });
}
