import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startSystem, type RunningSystem } from "./start-system.ts";
import { startCuttableProxy, type CuttableProxy } from "./support/cuttable-proxy.ts";

let system: RunningSystem;
let link: CuttableProxy;
beforeAll(async () => {
  // The gateway reaches the front through a proxy the test can cut: the internal link drops
  // while the front keeps running (and finishes, and charges, what it was given).
  const frontPort = await freePort();
  link = await startCuttableProxy(frontPort);
  system = await startSystem({ IMAGEGEN_FRONT_URL: `http://127.0.0.1:${link.port}` }, { frontPort });
});
afterAll(async () => {
  await system?.stop();
  await link?.close();
});

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

async function usage(): Promise<{ generations: number; images: number }> {
  const list = (await (
    await fetch(`${system.baseUrl}/api/v2/generations?page_size=100`, { headers: auth() })
  ).json()) as { generations: unknown[] };
  const profile = (await (await fetch(`${system.baseUrl}/api/v2/user/profile`, { headers: auth() })).json()) as {
    user: { usage?: { images_generated_month?: number } };
  };
  return { generations: list.generations.length, images: profile.user.usage?.images_generated_month ?? 0 };
}

describe("a link that drops after the front took a generation", () => {
  it("still answers the caller with that generation, made and charged once", async () => {
    const before = await usage();
    const pending = fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({
        prompt: "a storm over the sea",
        model: "local",
        parameters: { width: 2048, height: 2048, num_outputs: 2 },
      }),
    });
    await new Promise((r) => setTimeout(r, 400));
    link.cut();
    const res = await pending;
    const generation = (await res.json()) as { status: string; images: unknown[]; id: string };
    expect(res.status).toBe(200);
    expect(generation.status).toBe("completed");
    expect(generation.images).toHaveLength(2);

    const after = await usage();
    expect(after.generations - before.generations).toBe(1);
    expect(after.images - before.images).toBe(2);
  }, 60_000);
});
