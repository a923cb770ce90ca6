import type { Sleep } from "./deadline.ts";

/** What a poll loop needs from the kit's job context. */
export interface PollOptions {
  readonly signal: AbortSignal;
  readonly sleep: Sleep;
  /** First wait between polls; grows ×1.5 up to `maxIntervalMs`. */
  readonly intervalMs: number;
  readonly maxIntervalMs?: number;
}

/**
 * Calls `check` until it returns a value (not undefined), sleeping between calls with gentle
 * backoff. Aborting the signal (deadline, cancel) stops the loop at once: no poll is sent after.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  let interval = options.intervalMs;
  const max = options.maxIntervalMs ?? Math.max(options.intervalMs, 2000);
  for (;;) {
    options.signal.throwIfAborted();
    const value = await check();
    if (value !== undefined) return value;
    await options.sleep(interval, options.signal);
    interval = Math.min(max, Math.ceil(interval * 1.5));
  }
}
