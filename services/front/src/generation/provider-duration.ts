import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { GenerationRecord } from "../store/store.ts";

/**
 * Response header with the measured provider time of a completed generation, in whole
 * milliseconds: from its dispatch to the route that served it to its completion (the same
 * span the catalog's `performance` averages). Seed 002's `llm_info.requests[].duration_ms` is
 * read from it. A header, not a Generation field, so seed 004's Generation JSON keeps its shape;
 * the gateway passes `x-generation-*` headers through (gateway/src/rpc/forwarded-headers.ts).
 */
export const PROVIDER_DURATION_HEADER = "x-generation-provider-ms";

// Kept beside the message rather than on it: the public Generation has no such field.
const measured = new WeakMap<Generation, number>();

/** Remembers the measured provider time of `message` (built from `record`), when there is one. */
export function noteProviderDuration(message: Generation, record: GenerationRecord): void {
  if (record.status !== "completed" || record.dispatchedAt === undefined || record.completedAt === undefined) return;
  measured.set(message, Math.max(0, Math.round(record.completedAt - record.dispatchedAt)));
}

/** Sets the header for a generation whose provider time was measured; leaves it unset otherwise. */
export function announceProviderDuration(headers: Headers, generation: Generation): void {
  const ms = measured.get(generation);
  if (ms !== undefined) headers.set(PROVIDER_DURATION_HEADER, String(ms));
}
