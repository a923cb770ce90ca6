import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
// A short lease so the test does not wait half a minute for the sweeper.
beforeAll(async () => {
  system = await startSystem({ IMAGEGEN_LEASE_MS: "1500" });
});
afterAll(() => system?.stop());

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

async function readGeneration(id: string): Promise<Record<string, any>> {
  const res = await fetch(`${system.baseUrl}/api/v2/generations/${id}`, { headers: auth() });
  return (await res.json()) as Record<string, any>;
}

describe("a front killed mid-generation", () => {
  it("leaves no generation processing forever: after restart it reaches a terminal state", async () => {
    const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json", prefer: "respond-async" },
      body: JSON.stringify({
        prompt: "a lighthouse in a gale",
        model: "local",
        parameters: { width: 2048, height: 2048, num_outputs: 4 },
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    await system.kill("front", "SIGKILL");
    system.restart("front");

    let generation: Record<string, any> = {};
    for (let i = 0; i < 150; i++) {
      generation = await readGeneration(id).catch(() => ({}));
      if (["completed", "failed", "canceled"].includes(generation.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(generation.status).toBe("failed");
    expect(generation.error).toMatchObject({ reason: "generation_failed" });
    expect(generation.error.message).toMatch(/interrupted/);
    // Not charged: cost is only recorded for what was produced and completed.
    expect(generation.cost).toBeUndefined();
  });
});
