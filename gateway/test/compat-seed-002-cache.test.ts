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
  return { status: res.status, text: await res.text() };
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
    Object.assign(expected.process, { started: b.process.started, completed: b.process.completed, duration: b.process.duration, is_from_cache: true });
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
