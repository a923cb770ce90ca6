import type { ModelTimings } from "./store.ts";

/**
 * Mean queue and generation milliseconds per model over the completed generations since a
 * bound (`placeholder` is the driver's parameter, "?" or "$1"); the same SQL on both stores.
 */
export const MODEL_TIMINGS_SQL = (placeholder: string): string => `
  SELECT model, AVG(dispatched_at - created_at) AS queue_ms, AVG(completed_at - dispatched_at) AS generation_ms, COUNT(*) AS n
  FROM generations
  WHERE status = 'completed' AND completed_at >= ${placeholder} AND dispatched_at IS NOT NULL
  GROUP BY model`;

export function toTimings(row: Record<string, unknown>): ModelTimings {
  return {
    model: String(row.model),
    queueMs: Number(row.queue_ms),
    generationMs: Number(row.generation_ms),
    count: Number(row.n),
  };
}
