import { Pool } from "undici";
import { startSystem } from "../../gateway/test/start-system.ts";
import { runLoad, type LoadRequest, type LoadResult } from "../load.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";
import { chainEnvFor, FAKE_OPENAI_TOKEN } from "../openai-chain.ts";

/** Generations kept in flight (closed loop) behind the "under load" measurements. */
const BACKGROUND_GENERATIONS = 64;
/** How long the fake OpenAI holds each background generation, like a real model. */
const UPSTREAM_DELAY_MS = 500;

export interface RejectionsResult {
  readonly alone: Record<string, LoadResult[]>;
  readonly idle: Record<string, LoadResult>;
  readonly underLoad: Record<string, LoadResult>;
  readonly background_generations_per_s: number;
}

/**
 * The cheap paths must stay cheap, alone and under load: a wrong key (401), an invalid body
 * (400), a key past its rate limit (429: a free-tier key, one request a day in the bench config,
 * spent in warm-up) and a cache hit. Measured first on their own at concurrency 16 and 64, then
 * one at a time (latency, not throughput) with the system idle and again while 64 generations
 * are kept in flight through REST → gateway → front → openai provider → a fake holding each one.
 */
export async function runRejections(settings: { seconds: number; concurrencies: number[] }): Promise<RejectionsResult> {
  const fake = await spawnServer("servers/fast-openai.ts", {
    FAKE_TOKEN: FAKE_OPENAI_TOKEN,
    FAKE_DELAY_MS: String(UPSTREAM_DELAY_MS),
  });
  const system = await startSystem(chainEnvFor(fake.origin), { providers: ["openai"] });
  const admin = { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" };
  const invalidBody = JSON.stringify({ prompt: "x", parameters: { width: 100 } });
  const generation = (extra: object): string =>
    JSON.stringify({
      prompt: "a blue square",
      model: "gpt-image-1",
      parameters: { width: 1024, height: 1024 },
      ...extra,
    });
  const result: RejectionsResult = { alone: {}, idle: {}, underLoad: {}, background_generations_per_s: NaN };
  try {
    const limited = await createFreeKey(system.baseUrl, system.adminKey);
    const paths: Record<string, LoadRequest> = {
      "wrong API key → 401": {
        method: "POST",
        path: "/api/v2/generate/text-to-image",
        headers: { ...admin, authorization: "Bearer wrong" },
        body: invalidBody,
        expectStatus: 401,
      },
      "width 100 → 400": {
        method: "POST",
        path: "/api/v2/generate/text-to-image",
        headers: admin,
        body: invalidBody,
        expectStatus: 400,
      },
      // The warm-up spends the key's one request; what is measured is the 429 path.
      "past the rate limit → 429": {
        method: "GET",
        path: "/api/v2/models",
        headers: { authorization: `Bearer ${limited}` },
        expectStatus: 429,
      },
      // The warm-up's first request fills the cache (after the upstream's delay); the rest hit it.
      "cache hit → 200": {
        method: "POST",
        path: "/api/v2/generate/text-to-image",
        headers: admin,
        body: generation({ use_cache: true }),
        expectStatus: 200,
      },
    };
    for (const [name, request] of Object.entries(paths)) {
      result.alone[name] = [];
      for (const c of settings.concurrencies.filter((c) => c > 1))
        result.alone[name].push(await runLoad(system.baseUrl, request, c, settings.seconds));
    }
    for (const [name, request] of Object.entries(paths))
      result.idle[name] = await runLoad(system.baseUrl, request, 1, settings.seconds);
    const background = startBackgroundGenerations(system.baseUrl, {
      method: "POST",
      path: "/api/v2/generate/text-to-image",
      headers: admin,
      body: generation({ use_cache: false }),
      expectStatus: 200,
    });
    // Let the background reach its steady state before measuring beside it.
    await new Promise((r) => setTimeout(r, UPSTREAM_DELAY_MS * 2));
    const started = performance.now();
    const before = background.completed();
    for (const [name, request] of Object.entries(paths))
      result.underLoad[name] = await runLoad(system.baseUrl, request, 1, settings.seconds);
    const rate = (background.completed() - before) / ((performance.now() - started) / 1000);
    const failed = await background.stop();
    Object.assign(result, { background_generations_per_s: rate });
    if (failed > 0) console.log(`  background generations that failed: ${failed}`);
  } finally {
    await system.stop();
    fake.stop();
  }
  printTable(
    "Rejection paths and cache hits on their own",
    ["path", "concurrency", "req/s", "p50 ms", "p99 ms", "unexpected"],
    Object.entries(result.alone).flatMap(([name, rows]) =>
      rows.map((r) => [name, String(r.concurrency), r.rps, r.p50, r.p99, String(r.errors)]),
    ),
  );
  printTable(
    `The same, one at a time: idle, then beside ${BACKGROUND_GENERATIONS} generations in flight (${result.background_generations_per_s.toFixed(0)} generations/s completing, upstream ${UPSTREAM_DELAY_MS} ms)`,
    [
      "path",
      "idle p50 ms",
      "idle p99 ms",
      "under load p50 ms",
      "under load p99 ms",
      "p50 under load / idle",
      "unexpected",
    ],
    Object.keys(result.idle).map((name) => {
      const [idle, loaded] = [result.idle[name] as LoadResult, result.underLoad[name] as LoadResult];
      return [
        name,
        idle.p50,
        idle.p99,
        loaded.p50,
        loaded.p99,
        loaded.p50 / idle.p50,
        String(idle.errors + loaded.errors),
      ];
    }),
  );
  return result;
}

/** Keeps BACKGROUND_GENERATIONS requests in flight until stopped; counts completions and failures. */
function startBackgroundGenerations(
  origin: string,
  request: LoadRequest,
): { completed(): number; stop(): Promise<number> } {
  const pool = new Pool(origin, { connections: BACKGROUND_GENERATIONS });
  let running = true;
  let completed = 0;
  let failed = 0;
  const workers = Array.from({ length: BACKGROUND_GENERATIONS }, async () => {
    while (running) {
      try {
        const res = await pool.request({
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body,
        });
        await res.body.arrayBuffer();
        if (res.statusCode === request.expectStatus) completed++;
        else failed++;
      } catch {
        failed++;
      }
    }
  });
  return {
    completed: () => completed,
    async stop() {
      running = false;
      await Promise.all(workers);
      await pool.close();
      return failed;
    },
  };
}

/** A free-tier key made through the admin API (the bench config lifts only enterprise limits). */
async function createFreeKey(baseUrl: string, adminKey: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v2/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ owner: "bench-rate-limited", tier: "free" }),
  });
  if (!res.ok) throw new Error(`bench: could not create a free-tier key (${res.status} ${await res.text()})`);
  return ((await res.json()) as { secret: string }).secret;
}
