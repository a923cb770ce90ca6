import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

async function generate(body: unknown) {
  const res = await fetch(`${system.baseUrl}/api/text2image/generate`, {
    method: "POST",
    headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("seed 002: the cache flag is the front's own answer", () => {
  it("an immediate replay (same second) is is_from_cache: true, byte for byte the first answer otherwise", async () => {
    const body = { prompt: "a lighthouse on a cliff, cached", size: "128x128", quality: "standard", useCache: true };
    const first = await generate(body);
    const second = await generate(body);
    expect([first.status, second.status]).toEqual([200, 200]);
    const a = JSON.parse(first.text) as Record<string, any>;
    const b = JSON.parse(second.text) as Record<string, any>;
    expect(a.process.is_from_cache).toBe(false);
    expect(a.process.cache_key).toMatch(/^cache_[\w-]{32}$/);
    // What may differ is only what belongs to the second request: its own clock, and the flag.
    const expected = structuredClone(a);
    expected.request.timestamp = b.request.timestamp;
    Object.assign(expected.process, {
      started: b.process.started,
      completed: b.process.completed,
      duration: b.process.duration,
      is_from_cache: true,
    });
    expected.process.llm_info.total_cost = 0;
    expect(second.text).toBe(JSON.stringify(expected));
  });

  it("useCache: false is never a replay and has no cache_key", async () => {
    const body = { prompt: "a lighthouse on a cliff, uncached", size: "128x128", useCache: false };
    const first = JSON.parse((await generate(body)).text) as Record<string, any>;
    const second = JSON.parse((await generate(body)).text) as Record<string, any>;
    expect([first.process.is_from_cache, second.process.is_from_cache]).toEqual([false, false]);
    expect([first.process.cache_key, second.process.cache_key]).toEqual([null, null]);
    expect(second.process.id).not.toBe(first.process.id);
  });

  it("an error envelope of a request that never reached the cache carries no cache_key", async () => {
    const res = await generate({ prompt: "a nude woman", size: "128x128", useCache: true });
    expect(res.status).toBe(400);
    const process = (JSON.parse(res.text) as { process: Record<string, unknown> }).process;
    expect(process.is_from_cache).toBe(false);
    expect(process.cache_key).toBeNull();
  });
});

describe("seed 002: llm_info.requests[].duration_ms is the provider time the front measured", () => {
  it("is the front's measured milliseconds, not a difference of whole-second timestamps", async () => {
    const res = await generate({ prompt: "a lighthouse on a cliff, timed", size: "128x128", useCache: false });
    expect(res.status).toBe(200);
    // The measurement is the front's; the envelope carries it, not a header beside it.
    expect(res.headers.get("x-generation-provider-ms")).toBeNull();
    const body = JSON.parse(res.text) as { process: { id: string; llm_info: { requests: unknown[] } } };
    const read = await fetch(`${system.baseUrl}/api/v2/generations/${body.process.id}`, {
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    const measured = read.headers.get("x-generation-provider-ms");
    expect(measured).toMatch(/^\d+$/);
    const generation = (await read.json()) as { model: string; provider: string };
    const request = `{"model":"${generation.model}","purpose":"text2image","tokens":0,"duration_ms":${measured},"processor":"${generation.provider}"}`;
    expect(res.text).toContain(`"requests":[${request}]`);
    // Seed 004's Generation keeps its shape: the measurement is a header, not a field.
    expect(Object.keys(generation).filter((k) => /duration|dispatch/.test(k))).toEqual([]);
  });
});
