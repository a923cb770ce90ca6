import { describeError } from "@imagegen/errors";

/**
 * Seed 001's error body {"error": "<text>"}. Its table: 400 malformed, 401 unauthenticated, 422
 * "invalid version or not permitted" — which is what an unknown model or one the key may not
 * use is here. Everything else keeps the error table's status.
 */
export function renderSeed001Error(error: unknown): { status: number; body: { error: string }; retryAfterSeconds?: number } {
  const described = describeError(error);
  const name = described.row.name;
  const status = name === "NOT_FOUND" || name === "FORBIDDEN" ? 422 : described.row.httpStatus;
  const text = `${name}: ${described.message}`;
  return { status, body: { error: text }, retryAfterSeconds: described.retryAfterSeconds };
}
