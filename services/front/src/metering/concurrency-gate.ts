import { apiError, ErrorReason } from "@imagegen/errors";

/**
 * Caps the generations one key has running at once. A slot is taken before a generation is
 * persisted and given back when it ends, however it ends. In process by default; in Redis when
 * REDIS_URL is set (redis-concurrency-gate.ts), so the cap holds across every replica.
 */
export interface ConcurrencyGate {
  /** Takes a slot or throws RATE_LIMITED; the returned function gives it back (once). */
  acquire(subject: string, max: number): Promise<() => void>;
  close(): Promise<void>;
}

/** The refusal both gates throw when the key's slots are all taken. */
export function concurrencyRefusal(max: number): Error {
  return apiError(ErrorReason.RATE_LIMITED, `at most ${max} generations may run at once for this API key`, {
    retryAfterSeconds: 1,
    metadata: { limit: "max_concurrent", max_concurrent: String(max) },
  });
}

/** Slots counted in this process: one replica's cap (the single-machine default). */
export function createMemoryConcurrencyGate(): ConcurrencyGate {
  const running = new Map<string, number>();
  return {
    async acquire(subject, max) {
      const count = running.get(subject) ?? 0;
      if (count >= max) throw concurrencyRefusal(max);
      running.set(subject, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (running.get(subject) ?? 1) - 1;
        if (left > 0) running.set(subject, left);
        else running.delete(subject);
      };
    },
    async close() {},
  };
}
