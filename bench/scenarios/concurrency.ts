import { Agent, request } from "undici";
import { startSystem } from "../../gateway/test/start-system.ts";
import { rssMiB, samplePeakRss } from "../process-memory.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";
import { chainEnvFor, FAKE_OPENAI_TOKEN } from "../openai-chain.ts";

const SERVICES = ["gateway", "front", "openai"] as const;

export interface ConcurrencyResult {
  readonly in_flight: number;
  readonly upstream_delay_ms: number;
  readonly completed: number;
  readonly failed: number;
  readonly stored_completed: number;
  readonly wall_s: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly idle_rss_mib: Record<string, number>;
  readonly peak_rss_mib: Record<string, number>;
  readonly kib_per_generation: number;
}

/**
 * Thousands of generations in flight at once: every request is sent together through
 * REST → gateway → front → openai provider to a fake OpenAI that holds each answer for seconds.
 * Reports whether every one completed (answers and stored generations), their latency against
 * the upstream's own delay, and the memory each in-flight generation costs across the processes
 * (peak RSS under load minus idle RSS, divided by the number in flight). BENCH_IN_FLIGHT
 * overrides how many (500 quick, 4000 full).
 */
export async function runConcurrency(options: { quick: boolean }): Promise<ConcurrencyResult> {
  const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? (options.quick ? 500 : 4000));
  const delayMs = options.quick ? 1000 : 5000;
  const fake = await spawnServer("servers/fast-openai.ts", {
    FAKE_TOKEN: FAKE_OPENAI_TOKEN,
    FAKE_DELAY_MS: String(delayMs),
  });
  const system = await startSystem(chainEnvFor(fake.origin), { providers: ["openai"] });
  const agent = new Agent({ connections: inFlight, headersTimeout: 0, bodyTimeout: 0 });
  const send = async (): Promise<{ status: number; ms: number; id?: string; code?: string }> => {
    const started = performance.now();
    const res = await request(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      dispatcher: agent,
      headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        prompt: "a blue square",
        model: "gpt-image-1",
        parameters: { width: 1024, height: 1024 },
        use_cache: false,
      }),
    });
    const json = (await res.body.json()) as { id?: string; error?: { code: string; message: string } };
    return {
      status: res.statusCode,
      ms: performance.now() - started,
      id: json.id,
      code: json.error && `${json.error.code}: ${json.error.message}`,
    };
  };
  try {
    await send(); // warm-up: modules, connections, first provider describe
    // Idle figures after a quiet second, so the peak difference is what the load added.
    await new Promise((r) => setTimeout(r, 1000));
    const pids = Object.fromEntries(SERVICES.map((s) => [s, system.pid(s)]));
    const idle = Object.fromEntries(SERVICES.map((s) => [s, rssMiB(pids[s])]));
    const sampler = samplePeakRss(pids);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: inFlight }, () =>
        send().catch((error: unknown) => ({ status: 0, ms: NaN, id: undefined, code: String(error) })),
      ),
    );
    const wallS = (performance.now() - started) / 1000;
    const peak = sampler.stop();
    const completed = answers.filter((a) => a.status === 200);
    // Failures grouped by status and error, so a lost request says why it was lost.
    const failures = new Map<string, number>();
    for (const a of answers.filter((a) => a.status !== 200)) {
      const what = `${a.status} ${a.code ?? ""}`;
      failures.set(what, (failures.get(what) ?? 0) + 1);
    }
    for (const [what, count] of failures) console.log(`  failed: ${count} × ${what}`);
    const latencies = completed.map((a) => a.ms).sort((a, b) => a - b);
    const pick = (q: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    const storedCompleted = await countCompleted(system.baseUrl, system.adminKey, new Set(completed.map((a) => a.id!)));
    const addedMiB = SERVICES.reduce((sum, s) => sum + Math.max(0, (peak[s] ?? 0) - (idle[s] ?? 0)), 0);
    const result: ConcurrencyResult = {
      in_flight: inFlight,
      upstream_delay_ms: delayMs,
      completed: completed.length,
      failed: inFlight - completed.length,
      stored_completed: storedCompleted,
      wall_s: wallS,
      p50_ms: pick(0.5),
      p99_ms: pick(0.99),
      idle_rss_mib: idle,
      peak_rss_mib: peak,
      kib_per_generation: (addedMiB * 1024) / inFlight,
    };
    printTable(
      `Concurrency: ${inFlight} generations in flight at once, upstream holds each ${delayMs} ms (REST → gateway → front → openai → fake)`,
      [
        "in flight",
        "completed",
        "failed",
        "stored completed",
        "wall s",
        "p50 ms",
        "p99 ms",
        "KiB per in-flight generation",
      ],
      [
        [
          String(inFlight),
          String(result.completed),
          String(result.failed),
          String(storedCompleted),
          wallS,
          result.p50_ms,
          result.p99_ms,
          result.kib_per_generation,
        ],
      ],
    );
    printTable(
      "Concurrency: memory per process (RSS MiB)",
      ["process", "idle", "peak", "added"],
      SERVICES.map((s) => [s, idle[s] ?? NaN, peak[s] ?? NaN, (peak[s] ?? NaN) - (idle[s] ?? NaN)]),
    );
    return result;
  } finally {
    await agent.close();
    await system.stop();
    fake.stop();
  }
}

/** How many of `ids` the store lists as completed (paging through the owner's generations). */
async function countCompleted(baseUrl: string, key: string, ids: ReadonlySet<string>): Promise<number> {
  let count = 0;
  let token = "";
  do {
    const res = await fetch(`${baseUrl}/api/v2/generations?page_size=100${token ? `&page_token=${token}` : ""}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const page = (await res.json()) as { generations: Array<{ id: string; status: string }>; next_page_token?: string };
    count += page.generations.filter((g) => ids.has(g.id) && g.status === "completed").length;
    token = page.next_page_token ?? "";
  } while (token);
  return count;
}
