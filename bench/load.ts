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

/**
 * Closed-loop load: `concurrency` workers each send the next request as soon as the previous
 * answered, for `seconds` (after a short warm-up). Latencies in milliseconds.
 */
export async function runLoad(origin: string, request: LoadRequest, concurrency: number, seconds: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const once = async (): Promise<{ ms: number; ok: boolean; bytes: number }> => {
    const started = performance.now();
    const res = await pool.request({ method: request.method, path: request.path, headers: request.headers, body: request.body });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { ms: performance.now() - started, ok: res.statusCode === request.expectStatus, bytes: body.length };
  };
  // Warm-up: module caches, JIT, connections.
  const warmUntil = performance.now() + Math.min(1000, seconds * 200);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < warmUntil) await once().catch(() => undefined);
  }));
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        try {
          const r = await once();
          latencies.push(r.ms);
          bytes += r.bytes;
          if (!r.ok) errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    concurrency,
    requests: latencies.length,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: pick(0.5),
    p99: pick(0.99),
    bytes,
  };
}
