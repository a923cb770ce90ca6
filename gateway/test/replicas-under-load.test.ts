import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, startRedis, type TestServer } from "../../services/front/test/state-servers.ts";
import { freePort, startSystem, type RunningSystem } from "./start-system.ts";
import { configWithTiers, METERED_LOCAL } from "./front-rules-helpers.ts";

// Two gateways and two fronts on one machine over one PostgreSQL and one Redis; each gateway
// knows both fronts. Under steady load one front is killed (SIGKILL) halfway: every request must
// get an answer — a completed generation or a clear error — and every generation that was
// accepted must end terminal, the dead front's ones failed by the survivor once their leases lapse.
const LEASE_MS = 1500;
const LOAD_MS = 6000;
const WORKERS = 6;
let postgres: TestServer;
let redis: TestServer;
let dataDir: string;
const replicas: RunningSystem[] = [];

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  dataDir = mkdtempSync(join(tmpdir(), "imagegen-replicas-"));
  const frontPorts = [await freePort(), await freePort()];
  const env = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    IMAGEGEN_FRONT_URL: frontPorts.map((p) => `http://127.0.0.1:${p}`).join(","),
    IMAGEGEN_LEASE_MS: String(LEASE_MS),
    IMAGEGEN_CONFIG: configWithTiers(),
    LOG_LEVEL: "warn",
  };
  // One after the other: the first runs the schema migrations, the second finds them applied.
  for (const frontPort of frontPorts) replicas.push(await startSystem(env, { frontPort, dataDir }));
}, 120_000);
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await Promise.all([postgres?.stop(), redis?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Outcome {
  readonly gateway: number;
  readonly sentAt: number;
  readonly status: number;
  readonly id?: string;
  readonly code?: string;
}

const auth = () => ({ authorization: `Bearer ${replicas[0]!.adminKey}` });

async function generateThrough(gateway: number, n: number, startedAt: number): Promise<Outcome> {
  const sentAt = performance.now() - startedAt;
  const res = await fetch(`${replicas[gateway]!.baseUrl}/api/v2/generate/text-to-image`, {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify({
      prompt: `harbour at dusk ${n}`,
      model: METERED_LOCAL,
      parameters: { width: 512, height: 512 },
      use_cache: false,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json()) as { id?: string; error?: { code: string } };
  return { gateway, sentAt, status: res.status, id: json.id, code: json.error?.code };
}

async function allGenerations(): Promise<Array<{ id: string; status: string; error?: { message: string } }>> {
  const out = [];
  let token = "";
  do {
    const res = await fetch(
      `${replicas[1]!.baseUrl}/api/v2/generations?page_size=100${token ? `&page_token=${token}` : ""}`,
      { headers: auth() },
    );
    const page = (await res.json()) as {
      generations: Array<{ id: string; status: string; error?: { message: string } }>;
      next_page_token?: string;
    };
    out.push(...page.generations);
    token = page.next_page_token ?? "";
  } while (token);
  return out;
}

describe("two gateways, two fronts, one front killed under load", () => {
  it("answers every request and leaves every accepted generation terminal", async () => {
    const creditsBefore = await usedCredits();
    const startedAt = performance.now();
    const outcomes: Outcome[] = [];
    let n = 0;
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      while (performance.now() - startedAt < LOAD_MS) outcomes.push(await generateThrough(w % 2, n++, startedAt));
    });
    await new Promise((r) => setTimeout(r, LOAD_MS / 2));
    const killedAt = performance.now() - startedAt;
    await replicas[0]!.kill("front", "SIGKILL");
    await Promise.all(workers);

    // Every request got an answer: a completed generation, the documented UNAVAILABLE, or — for a
    // call the dead front had taken, resent by the gateway with the same request_id — that very
    // generation, still pending (202) on the dead front until its lease lapses.
    const unexpected = outcomes.filter(
      (o) => !(o.status === 200 || (o.status === 202 && o.id) || (o.status === 503 && o.code === "UNAVAILABLE")),
    );
    expect(unexpected).toEqual([]);
    const after = outcomes.filter((o) => o.sentAt > killedAt + 100);
    // Both gateways kept serving after the kill: the gateway whose own front died fails over.
    for (const gateway of [0, 1])
      expect(after.filter((o) => o.gateway === gateway && o.status === 200).length).toBeGreaterThan(0);
    // Requests sent after the kill never meet the dead front: a refused connection goes to the live one.
    expect(after.filter((o) => o.status !== 200)).toEqual([]);

    // The dead front's generations are failed by the survivor once their leases lapse.
    let generations = await allGenerations();
    for (let i = 0; i < 50 && generations.some((g) => g.status === "queued" || g.status === "processing"); i++) {
      await new Promise((r) => setTimeout(r, 200));
      generations = await allGenerations();
    }
    expect(generations.filter((g) => !["completed", "failed"].includes(g.status))).toEqual([]);
    const completed = new Set(generations.filter((g) => g.status === "completed").map((g) => g.id));
    const answered = outcomes.filter((o) => o.status === 200).map((o) => o.id!);
    expect(answered.filter((id) => !completed.has(id))).toEqual([]);
    for (const g of generations.filter((g) => g.status === "failed")) expect(g.error?.message).toMatch(/interrupted/);
    // A pending answer named a generation that the survivor then failed, never a lost one.
    const failed = new Set(generations.filter((g) => g.status === "failed").map((g) => g.id));
    expect(outcomes.filter((o) => o.status === 202 && !failed.has(o.id!))).toEqual([]);
    // Charged exactly for what completed (metered-local: 1 credit per image), no more, no less.
    expect((await usedCredits()) - creditsBefore).toBe(completed.size);
    console.log(
      `replicas under load: ${outcomes.length} requests, ${answered.length} completed, ` +
        `${outcomes.length - answered.length} UNAVAILABLE at the kill, ${generations.length - completed.size} interrupted generations failed by the survivor`,
    );
  }, 90_000);
});

async function usedCredits(): Promise<number> {
  const res = await fetch(`${replicas[1]!.baseUrl}/api/v2/user/profile`, { headers: auth() });
  const remaining = ((await res.json()) as { user: { usage: { credits_remaining: number } } }).user.usage
    .credits_remaining;
  return 1_000_000 - remaining;
}
