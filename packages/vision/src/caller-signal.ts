/** How a queued request is settled: the pool resolves or rejects it when its run ends. */
export interface Settle<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Queues a worker pool's request for a caller who may give up (its cancel or RPC deadline): an
 * already aborted `signal` is answered `canceled()` without queueing; an abort while waiting takes
 * the request out of `waiting`, and one while running answers at once — the pool's later answer
 * to a settled promise is ignored — so nobody holds a place in the queue for a caller who left.
 * `entry` builds the queued request around its settle functions; the caller pumps the queue after.
 */
export function queueForCaller<T, P>(
  waiting: P[],
  signal: AbortSignal | undefined,
  canceled: () => unknown,
  entry: (settle: Settle<T>) => P,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(canceled());
  return new Promise<T>((resolve, reject) => {
    const leave = (): void => {
      const queued = waiting.indexOf(pending);
      if (queued >= 0) waiting.splice(queued, 1);
      reject(canceled());
    };
    const pending = entry({
      resolve: (value) => {
        signal?.removeEventListener("abort", leave);
        resolve(value);
      },
      reject: (error) => {
        signal?.removeEventListener("abort", leave);
        reject(error);
      },
    });
    signal?.addEventListener("abort", leave, { once: true });
    waiting.push(pending);
  });
}
