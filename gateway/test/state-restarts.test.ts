import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, startRedis, type TestServer } from "../../services/front/test/state-servers.ts";
import { configWithTiers, METERED_LOCAL, restClient } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";
import { startSteadyLoad, type LoadRequest } from "./steady-load.ts";

// Fault injection: PostgreSQL, then Redis, restarted while a steady stream of generations and
// reads runs through gateway → front → local provider. Nothing may be lost: every request is
// answered (a success or a documented 503), every accepted generation ends terminal, and the
// credits charged are exactly what the completed generations cost.
const LEASE_MS = 2000;
const QUOTA = 1_000_000;
const DOWN_MS = 1500;

let postgres: TestServer;
let redis: TestServer;
let system: RunningSystem;
let call: ReturnType<typeof restClient>;
let key: string;
beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  // A short lease: a generation whose outcome could not be written is swept within seconds.
  system = await startSystem({
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    IMAGEGEN_LEASE_MS: String(LEASE_MS),
    IMAGEGEN_CONFIG: configWithTiers(),
  });
  call = restClient(system);
  // A stored key (not the bootstrap one), so authentication itself reads PostgreSQL.
  const created = await call(system.adminKey, "POST", "/api/v2/admin/keys", {
    owner: "restarts",
    tier: "enterprise",
    monthly_credit_quota: QUOTA,
  });
  expect(created.status, created.text).toBeLessThan(300);
  key = created.json.secret;
}, 60_000);
afterAll(async () => {
  await system?.stop();
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const generate = (seed: number, size = 64): LoadRequest => ({
  kind: "generate",
  method: "POST",
  path: "/api/v2/generate/text-to-image",
  // metered-local: the local renderer at 1 credit an image (front-rules-helpers.ts). Four images
  // keep each generation in flight long enough for the restarts to catch some midway.
  body: {
    prompt: "a lighthouse in a gale",
    model: METERED_LOCAL,
    parameters: { width: size, height: size, num_outputs: 4, seed },
    use_cache: false,
  },
});
const READS: readonly LoadRequest[] = [
  { kind: "list", method: "GET", path: "/api/v2/generations?page_size=5" },
  { kind: "profile", method: "GET", path: "/api/v2/user/profile" },
  { kind: "models", method: "GET", path: "/api/v2/models" },
];
// Every other request a generation, the rest reads.
const plan = (worker: number, i: number): LoadRequest =>
  i % 2 === 0 ? generate(worker * 100_000 + i) : READS[(i >> 1) % READS.length]!;

/** Restarts `server` and measures from the stop to the server accepting connections again. */
async function restart(server: TestServer): Promise<{ from: number; to: number }> {
  const from = Date.now();
  await server.restart(DOWN_MS);
  return { from, to: Date.now() };
}

/** Waits for the first generation to succeed again, then asks that the next ones all do. */
async function expectServingNormally(): Promise<number> {
  const since = Date.now();
  let status = 0;
  while (Date.now() - since < 15_000 && status !== 200) {
    const probe = generate(Date.now() % 1e6);
    status = (await call(key, probe.method, probe.path, probe.body)).status;
    if (status !== 200) await sleep(100);
  }
  const recovered = Date.now() - since;
  expect(status, "no generation succeeded within 15 s of the restart").toBe(200);
  for (let i = 0; i < 3; i++) {
    for (const request of [generate(i), ...READS]) {
      const res = await call(key, request.method, request.path, request.body);
      expect(res.status, `${request.kind} after the restart: ${res.text}`).toBe(200);
    }
  }
  return recovered;
}

/** Every generation of the owner, newest first, through the public list. */
async function listAll(): Promise<Array<Record<string, any>>> {
  const all: Array<Record<string, any>> = [];
  let token = "";
  do {
    const page = await call(key, "GET", `/api/v2/generations?page_size=100${token ? `&page_token=${token}` : ""}`);
    expect(page.status, page.text).toBe(200);
    all.push(...(page.json.generations ?? []));
    token = page.json.next_page_token ?? "";
  } while (token);
  return all;
}

const TERMINAL = new Set(["completed", "failed", "canceled"]);

/** How many times each name occurs, for the summary line. */
function count(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

describe("PostgreSQL and Redis restarted under load", () => {
  it("lose nothing: every request answered, every generation terminal, charges exact", async () => {
    const frontPid = system.pid("front");
    const load = startSteadyLoad({ baseUrl: system.baseUrl, key, concurrency: 6, timeoutMs: 15_000, plan });

    await sleep(1000);
    // One large generation caught midway by the PostgreSQL restart, for certain: its images land
    // (hundreds of ms each) while the server is down, so its outcome cannot be written then.
    const large = generate(7, 2048);
    const midway = await call(key, large.method, large.path, large.body, { prefer: "respond-async" });
    expect(midway.status, midway.text).toBe(202);
    const pgDown = await restart(postgres);
    const pgRecoveredMs = await expectServingNormally();
    await sleep(500);
    const redisDown = await restart(redis);
    const redisRecoveredMs = await expectServingNormally();
    await sleep(500);
    await load.stop();
    const outcomes = load.outcomes;

    // Every request got an answer, and every answer is a success or the documented 503.
    const failures = outcomes.filter((o) => o.status !== 200);
    for (const o of failures) {
      expect({ kind: o.kind, status: o.status, code: o.code }).toEqual({
        kind: o.kind,
        status: 503,
        code: "UNAVAILABLE",
      });
      expect(o.message).toMatch(/^the state store \((PostgreSQL|Redis)\) is unavailable/);
    }
    // The faults really were on the request path, each one seen by the load.
    expect(failures.some((o) => o.message?.includes("PostgreSQL"))).toBe(true);
    expect(failures.some((o) => o.message?.includes("Redis"))).toBe(true);

    // The front survived both: same process, alive, and ready.
    expect(system.pid("front")).toBe(frontPid);
    expect(() => process.kill(frontPid!, 0)).not.toThrow();
    expect((await fetch(`${system.baseUrl}/readyz`)).status).toBe(200);

    // Every accepted generation reaches a terminal state (a lost outcome write is swept).
    let generations = await listAll();
    for (let i = 0; i < 50 && generations.some((g) => !TERMINAL.has(g.status)); i++) {
      await sleep(200);
      generations = await listAll();
    }
    console.log(
      "state restarts:",
      JSON.stringify({
        pgDownMs: pgDown.to - pgDown.from,
        pgRecoveredMs,
        redisDownMs: redisDown.to - redisDown.from,
        redisRecoveredMs,
        answers: count(outcomes.map((o) => `${o.kind} ${o.status}${o.code ? ` ${o.code}` : ""}`)),
        generations: count(generations.map((g) => (g.error ? `${g.status} ${g.error.reason}` : g.status))),
      }),
    );
    expect(generations.filter((g) => !TERMINAL.has(g.status)).map((g) => [g.id, g.status])).toEqual([]);

    const byId = new Map(generations.map((g) => [g.id as string, g]));
    // The one caught midway failed (the lease sweeper, or its own failure write, said so), uncharged —
    // unless, on a machine so loaded that no image landed during the outage, it finished after it:
    // then it is a whole completed generation, charged like any other (never a half of each).
    const caught = byId.get(midway.json.id);
    if (caught?.status === "completed") {
      expect(caught.images).toHaveLength(4);
      expect(caught.cost).toBeDefined();
    } else {
      expect(caught).toMatchObject({ status: "failed" });
      expect(caught?.cost).toBeUndefined();
    }

    // Every generation answered as completed is stored as completed, at its price.
    const answered = outcomes.filter((o) => o.kind === "generate" && o.status === 200).map((o) => o.body!);
    for (const g of answered) {
      expect(g.status).toBe("completed");
      expect(byId.get(g.id)).toMatchObject({ status: "completed", cost: { credits: 4 } });
    }
    // No lost or double charge: what the profile says was spent is what completed generations cost.
    const completed = generations.filter((g) => g.status === "completed");
    for (const g of completed) expect(g.cost?.credits, g.id).toBe(g.images.length);
    const cost = completed.reduce((sum, g) => sum + g.cost.credits, 0);
    const profile = await call(key, "GET", "/api/v2/user/profile");
    expect(profile.status, profile.text).toBe(200);
    expect(QUOTA - profile.json.user.usage.credits_remaining).toBe(cost);
  });
});
