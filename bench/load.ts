import { Pool } from "undici";

/** One request the load generator repeats. */
export interface LoadRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Status every response must have; anything else counts as an error. */
  readonly expectStatus: number;
}

export interface LoadResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly bytes: number;
}

/** Called as the measured window opens and closes (after the warm-up), e.g. to read CPU time. */
export interface MeasureHooks {
  readonly start?: () => void;
  readonly end?: () => void;
}

/**
 * Closed-loop load over any call (e.g. an RPC client's method): `concurrency` workers each make
 * the next call as soon as the previous one settled, for `seconds` after a short warm-up.
 */
export async function runCallLoad(
  call: () => Promise<unknown>,
  concurrency: number,
  seconds: number,
  hooks: MeasureHooks = {},
): Promise<LoadResult> {
  const warmUntil = performance.now() + Math.min(1000, seconds * 200);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmUntil) await call().catch(() => undefined);
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  hooks.start?.();
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const begun = performance.now();
        try {
          await call();
          latencies.push(performance.now() - begun);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  hooks.end?.();
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    concurrency,
    requests: latencies.length,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: pick(0.5),
    p99: pick(0.99),
    bytes: 0,
  };
}

/**
 * Closed-loop HTTP load: `concurrency` connections each send the next request as soon as the
 * previous answered. An answer with another status than expected counts as an error.
 */
export async function runLoad(
  origin: string,
  request: LoadRequest,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let bytes = 0;
  try {
    const result = await runCallLoad(
      async () => {
        const res = await pool.request({
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body,
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        bytes += body.length;
        if (res.statusCode !== request.expectStatus) throw new Error(`status ${res.statusCode}`);
      },
      concurrency,
      seconds,
    );
    return { ...result, bytes };
  } finally {
    await pool.close();
  }
}
