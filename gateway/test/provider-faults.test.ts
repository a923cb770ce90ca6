import { readdirSync } from "node:fs";
import type { FakeBehaviour } from "@imagegen/provider-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAi } from "../../services/providers/openai/test/fake-openai.ts";
import { freePort, startSystem, type RunningSystem } from "./start-system.ts";

// A misbehaving vendor seen through the whole chain: REST → gateway → front → openai provider
// process → fake api.openai.com. Every fault must end in a clear envelope error and a terminal,
// uncharged generation; a recovered one must be charged exactly once; nothing may stay in flight.
const OPENAI_KEY = "sk-faults-SECRET-openai-0123456789";
const PROVIDER_TIMEOUT_MS = 2500;
const BREAKER_FAILURES = 3;
let system: RunningSystem;
let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
let frontMetricsPort: number;
let descriptorsBefore: Record<string, number>;

beforeAll(async () => {
  fake = await startFakeOpenAi({ token: OPENAI_KEY });
  frontMetricsPort = await freePort();
  system = await startSystem(
    {
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: fake.baseUrl,
      IMAGEGEN_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      IMAGEGEN_FRONT_METRICS_PORT: String(frontMetricsPort),
      IMAGEGEN_BREAKER_FAILURES: String(BREAKER_FAILURES),
      IMAGEGEN_BREAKER_COOLDOWN_MS: "60000",
      // The rest of the suite runs the default Connect-over-h2c hops; this file proves the HTTP/1.1 option.
      IMAGEGEN_INTERNAL_PROTOCOL: "connect-http1",
    },
    { providers: ["openai"] },
  );
  for (let attempt = 0; attempt < 100 && !(await modelActive("gpt-image-1")); attempt++)
    await new Promise((r) => setTimeout(r, 300));
  descriptorsBefore = openDescriptors();
});
afterAll(async () => {
  await system?.stop();
  await fake?.close();
});

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

/** Open file descriptors (sockets, files) of the front and the provider process, from /proc. */
function openDescriptors(): Record<string, number> {
  return Object.fromEntries(
    ["front", "openai"].map((name) => [name, readdirSync(`/proc/${system.pid(name)}/fd`).length]),
  );
}

async function modelActive(id: string): Promise<boolean> {
  const res = await fetch(`${system.baseUrl}/api/v2/models`, { headers: auth() });
  if (!res.ok) return false;
  const { models } = (await res.json()) as { models: Array<{ id: string; status: string }> };
  return models.some((m) => m.id === id && m.status === "active");
}

async function generate(): Promise<{ status: number; json: any; retryAfter: string | null; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json" },
    body: JSON.stringify({
      prompt: "a lighthouse in fog",
      model: "gpt-image-1",
      parameters: { width: 1024, height: 1024 },
      use_cache: false,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  return {
    status: res.status,
    json: await res.json(),
    retryAfter: res.headers.get("retry-after"),
    ms: performance.now() - started,
  };
}

async function creditsRemaining(): Promise<number> {
  const res = await fetch(`${system.baseUrl}/api/v2/user/profile`, { headers: auth() });
  return ((await res.json()) as { user: { usage: { credits_remaining: number } } }).user.usage.credits_remaining;
}

async function latestGeneration(): Promise<{ id: string; status: string; error?: { code: string } }> {
  const res = await fetch(`${system.baseUrl}/api/v2/generations?page_size=1`, { headers: auth() });
  return ((await res.json()) as { generations: Array<{ id: string; status: string; error?: { code: string } }> })
    .generations[0]!;
}

async function generationsInFlight(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${frontMetricsPort}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("imagegen_generations_in_flight"));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

const FAULTS: Array<{ name: string; behaviour: FakeBehaviour; status: number; code: string }> = [
  { name: "a 500", behaviour: { kind: "status", status: 500 }, status: 502, code: "UPSTREAM_UNAVAILABLE" },
  {
    name: "a 503 without Retry-After",
    behaviour: { kind: "status", status: 503 },
    status: 502,
    code: "UPSTREAM_UNAVAILABLE",
  },
  // Our caller is not the one rate limited: 503 with the vendor's Retry-After, never a 429.
  {
    name: "a 429 asking for two minutes",
    behaviour: { kind: "status", status: 429, retryAfterSeconds: 120 },
    status: 503,
    code: "UPSTREAM_RATE_LIMITED",
  },
  { name: "garbage in a 200", behaviour: { kind: "malformed" }, status: 502, code: "UPSTREAM_BAD_RESPONSE" },
  { name: "a 200 without images", behaviour: { kind: "empty" }, status: 502, code: "UPSTREAM_BAD_RESPONSE" },
  { name: "a connection closed mid-body", behaviour: { kind: "cut-off" }, status: 502, code: "UPSTREAM_UNAVAILABLE" },
  // Seed 004's TIMEOUT (timeout_error, 504), when the provider deadline passes.
  { name: "a body that trickles forever", behaviour: { kind: "slow-body" }, status: 504, code: "TIMEOUT" },
  { name: "an answer that never comes", behaviour: { kind: "hang" }, status: 504, code: "TIMEOUT" },
];

describe("a misbehaving vendor through the whole chain", () => {
  it.each(FAULTS)(
    "$name ends in $status $code, a failed generation and no charge",
    async ({ behaviour, status, code }) => {
      const credits = await creditsRemaining();
      fake.script(behaviour);
      const answer = await generate();
      expect(answer.status, JSON.stringify(answer.json)).toBe(status);
      expect(answer.json.error).toMatchObject({ code, type: code === "TIMEOUT" ? "timeout_error" : "provider_error" });
      expect(JSON.stringify(answer.json)).not.toContain(OPENAI_KEY);
      if (code === "UPSTREAM_RATE_LIMITED") expect(answer.retryAfter).toBe("120");
      if (status === 504) {
        // Held answers end at the provider deadline, and the vendor connection is let go.
        expect(answer.ms).toBeGreaterThanOrEqual(PROVIDER_TIMEOUT_MS - 100);
        await fake.sawStop();
      }
      const generation = await latestGeneration();
      expect(generation, JSON.stringify(generation)).toMatchObject({
        status: "failed",
        error: { reason: code.toLowerCase() },
      });
      expect(await creditsRemaining()).toBe(credits);
      // And the next request is served normally (which also closes the provider's circuit again).
      const next = await generate();
      expect(next.status, JSON.stringify(next.json)).toBe(200);
      expect(credits - (await creditsRemaining())).toBe(2);
    },
  );

  it("a 429 with a short Retry-After is retried once and charged once", async () => {
    const credits = await creditsRemaining();
    const submissions = fake.submissions();
    fake.script({ kind: "status", status: 429, retryAfterSeconds: 1 });
    const answer = await generate();
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json).toMatchObject({ status: "completed", provider: "openai" });
    expect(fake.submissions() - submissions).toBe(2);
    // gpt-image-1 costs 2 credits per image (config/imagegen.yaml).
    expect(credits - (await creditsRemaining())).toBe(2);
  });

  it("leaves nothing in flight and no generation unfinished", async () => {
    expect(await generationsInFlight()).toBe(0);
    const res = await fetch(`${system.baseUrl}/api/v2/generations?page_size=50`, { headers: auth() });
    const { generations } = (await res.json()) as { generations: Array<{ status: string }> };
    expect(generations.length).toBe(2 * FAULTS.length + 1);
    expect(generations.filter((g) => g.status !== "failed" && g.status !== "completed")).toEqual([]);
  });

  it("failures in a row open the circuit: callers get 503 with Retry-After and the vendor is left alone", async () => {
    fake.script({ kind: "status", status: 500, times: Infinity });
    for (let i = 0; i < BREAKER_FAILURES; i++) expect((await generate()).status).toBe(502);
    const submissions = fake.submissions();
    const refused = await generate();
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe("MODEL_NOT_AVAILABLE");
    expect(refused.json.error.message).toMatch(
      /openai: circuit open after 3 provider failures in a row; next trial in \d+ s/,
    );
    expect(Number(refused.retryAfter)).toBeGreaterThan(50);
    expect(fake.submissions()).toBe(submissions);
    fake.reset();
  });

  it("leaks no handle: once idle, no connection to the vendor is left and descriptors are back where they started", async () => {
    // Keep-alive connections close after a few idle seconds; one held by a hung or trickling
    // vendor call that was never let go would stay open for good.
    for (let waited = 0; waited < 15_000 && fake.openConnections() > 0; waited += 250)
      await new Promise((r) => setTimeout(r, 250));
    expect(fake.openConnections()).toBe(0);
    const after = openDescriptors();
    // A little slack for what idles and comes back (a log write, the metrics scrape's socket).
    for (const [name, before] of Object.entries(descriptorsBefore))
      expect(after[name], `${name}: ${before} before, ${after[name]} after`).toBeLessThanOrEqual(before + 2);
  }, 30_000);
});
