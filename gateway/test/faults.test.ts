import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(system.baseUrl + path, { method: "POST", headers: { ...auth(), ...headers }, body });
  const text = await res.text();
  return { status: res.status, text };
}

describe("faults", () => {
  it("a provider killed mid-generation fails the generation clearly, nothing stays processing", async () => {
    const pending = post(
      "/api/v2/generate/text-to-image",
      JSON.stringify({
        prompt: "a very large storm",
        model: "local",
        parameters: { width: 2048, height: 2048, num_outputs: 4 },
      }),
      { "content-type": "application/json" },
    );
    await new Promise((r) => setTimeout(r, 300));
    await system.kill("local", "SIGKILL");
    const res = await pending;
    expect(res.status).toBe(502);
    const error = JSON.parse(res.text).error;
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", type: "provider_error" });

    const list = (await (
      await fetch(`${system.baseUrl}/api/v2/generations?page_size=1`, { headers: auth() })
    ).json()) as any;
    expect(list.generations[0].status).toBe("failed");
    system.restart("local");
  });

  it("the gateway answers 503 in the envelope while the front is down, and recovers", async () => {
    await system.kill("front", "SIGKILL");
    const res = await fetch(`${system.baseUrl}/api/v2/models`, { headers: auth() });
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error.code).toBe("UNAVAILABLE");
    expect((await fetch(`${system.baseUrl}/readyz`)).status).toBe(503);
    system.restart("front");
    // The front needs a moment to start (module loading, provider discovery).
    for (let i = 0; i < 100 && (await fetch(`${system.baseUrl}/readyz`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${system.baseUrl}/api/v2/models`, { headers: auth() })).status).toBe(200);
  });
});
