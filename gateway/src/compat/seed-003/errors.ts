import { describeError } from "@imagegen/errors";

// Statuses a client must tell apart (bad key, rate limit); seed 003 itself lists 400 and 500.
const KEPT = new Set([401, 403, 413, 429]);

/** Seed 003's {"error": "<description>"}: 400 for the request's fault, 500 for ours. */
export function renderSeed003Error(error: unknown): {
  status: number;
  body: { error: string };
  retryAfterSeconds?: number;
} {
  const described = describeError(error);
  const table = described.row.httpStatus;
  const status = KEPT.has(table) ? table : table < 500 ? 400 : 500;
  return { status, body: { error: described.message }, retryAfterSeconds: described.retryAfterSeconds };
}
