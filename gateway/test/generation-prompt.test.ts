import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system?.stop());

describe("a Generation's prompt", () => {
  it("is the caller's prompt, style hints applied only on the way to the provider", async () => {
    const prompt = "a lighthouse on a cliff";
    const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        prompt,
        model: "local",
        parameters: { width: 64, height: 64 },
        style: { preset: "oil_painting", lighting: "golden_hour" },
      }),
    });
    expect(res.status).toBe(200);
    const generation = (await res.json()) as { id: string; prompt: string };
    expect(generation.prompt).toBe(prompt);
    const again = (await (
      await fetch(`${system.baseUrl}/api/v2/generations/${generation.id}`, {
        headers: { authorization: `Bearer ${system.adminKey}` },
      })
    ).json()) as { prompt: string };
    expect(again.prompt).toBe(prompt);
  });
});
