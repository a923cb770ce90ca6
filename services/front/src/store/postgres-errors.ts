import { stateUnavailable } from "./state-unavailable.ts";

// SQLSTATEs of a server that is going away or not there yet: connection exceptions (class 08),
// admin/crash shutdown and "the database system is starting up" (57P01-03), too many connections.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
// The socket could not reach the server or lost it.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
// What pg and pg-pool raise, as plain Errors without a code, for a lost, unobtainable or stalled
// connection ("Query read timeout": no answer within the pool's query_timeout).
const CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Cannot use a pool after calling end|Query read timeout)/;

/** True when `error` says PostgreSQL could not be reached, rather than that a statement failed. */
export function isPostgresUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
  return error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

/**
 * The error a failed query becomes: 503 UNAVAILABLE when the server was unreachable; anything
 * else (a constraint, a bug in our SQL) stays as thrown and surfaces as INTERNAL.
 */
export function fromPostgresError(error: unknown): unknown {
  return isPostgresUnreachable(error) ? stateUnavailable("PostgreSQL", error) : error;
}
