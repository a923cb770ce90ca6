import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startFakeBfl } from "../../services/providers/bfl/test/fake-bfl.ts";
import { startFakeReplicate } from "../../services/providers/replicate/test/fake-replicate.ts";
import { expectOurImages, generateThroughRest } from "./support/provider-generations.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// The whole chain — gateway REST → front → provider process → fake vendor over loopback — with
// the real Replicate and BFL provider services pointed at their fakes through *_BASE_URL.
const REPLICATE_TOKEN = "r8_e2e-SECRET-token-0123456789";
const BFL_KEY = "bfl_e2e-SECRET-key-0123456789";
let system: RunningSystem;
let replicate: Awaited<ReturnType<typeof startFakeReplicate>>;
let bfl: Awaited<ReturnType<typeof startFakeBfl>>;

// The real catalog plus one model served by BFL alone, so the test can tell when BFL is usable.
const configDir = mkdtempSync(join(tmpdir(), "imagegen-e2e-config-"));
const configPath = join(configDir, "imagegen.yaml");

beforeAll(async () => {
  const catalog = parse(readFileSync(join(import.meta.dirname, "..", "..", "config", "imagegen.yaml"), "utf8")) as {
    models: unknown[];
  };
  catalog.models.push({
    id: "bfl-only",
    name: "FLUX1.1 [pro] on BFL only",
    type: "text-to-image",
    routes: [{ provider: "bfl", model: "flux-pro-1.1" }],
  });
  writeFileSync(configPath, stringify(catalog));
  replicate = await startFakeReplicate({ token: REPLICATE_TOKEN, waitScale: 0.05 });
  bfl = await startFakeBfl({ key: BFL_KEY });
  system = await startSystem(
    {
      REPLICATE_API_TOKEN: REPLICATE_TOKEN,
      REPLICATE_BASE_URL: replicate.baseUrl,
      BFL_API_KEY: BFL_KEY,
      BFL_BASE_URL: bfl.baseUrl,
      IMAGEGEN_POLL_INTERVAL_MS: "20",
      IMAGEGEN_CONFIG: configPath,
    },
    { providers: ["replicate", "bfl"] },
  );
  // The front describes its providers at start and every 15 s after: on a busy machine its first
  // look may miss a provider still warming up, so wait until both routes serve.
  await waitUntilActive(["flux-schnell", "bfl-only"], 40_000);
}, 90_000);

async function waitUntilActive(models: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(
      models.map(async (id) => {
        const res = await fetch(`${system.baseUrl}/api/v2/models/${id}`, {
          headers: { authorization: `Bearer ${system.adminKey}` },
        });
        return ((await res.json()) as { model?: { status?: string } }).model?.status;
      }),
    );
    if (statuses.every((s) => s === "active")) return;
    if (Date.now() > deadline)
      throw new Error(
        `models not active: ${models.map((m, i) => `${m}=${statuses[i]}`).join(", ")}\n${system.output()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
afterAll(async () => {
  await system?.stop();
  await replicate?.close();
  await bfl?.close();
  rmSync(configDir, { recursive: true, force: true });
});

describe("generation through real provider services against their fakes", () => {
  const cases = [
    {
      name: "replicate (official model, Prefer: wait)",
      model: "flux-schnell",
      parameters: { width: 1344, height: 768, num_outputs: 2 },
      format: "webp",
      provider: "replicate",
      images: 2,
    },
    {
      name: "replicate (version-pinned, polled)",
      model: "stable-diffusion-xl",
      parameters: { width: 512, height: 512, num_outputs: 1 },
      format: "png",
      provider: "replicate",
      images: 1,
    },
    {
      name: "bfl (polling_url)",
      model: "flux-pro-1.1",
      parameters: { width: 1024, height: 768 },
      format: "jpg",
      provider: "bfl",
      images: 1,
    },
  ];
  for (const c of cases) {
    it(`generates with ${c.name}, storing the images in our own store`, async () => {
      const fake = c.provider === "bfl" ? bfl : replicate;
      const deliveriesBefore = fake.deliveries.length;
      const { status, json } = await generateThroughRest(system, {
        prompt: "a lighthouse at dusk",
        model: c.model,
        parameters: c.parameters,
        output: { format: c.format },
      });
      expect(status, JSON.stringify(json)).toBe(200);
      expect(json).toMatchObject({ status: "completed", model: c.model, provider: c.provider });
      await expectOurImages(system, json, c.images, fake.baseUrl);
      // Each image was fetched from the vendor's delivery URL exactly once, at generation time.
      expect(fake.deliveries.length - deliveriesBefore).toBe(c.images);
    });
  }

  it("falls back to the next route when the first answers 503, and says which served", async () => {
    bfl.script({ kind: "status", status: 503, times: Infinity });
    const bflTriesBefore = bfl.submissions();
    try {
      const { status, json } = await generateThroughRest(system, {
        prompt: "a lighthouse",
        model: "flux-pro-1.1",
        parameters: { width: 1024, height: 768 },
        output: { format: "png" },
      });
      expect(status, JSON.stringify(json)).toBe(200);
      expect(json).toMatchObject({ status: "completed", provider: "replicate" });
      // The first route really was tried (and refused) before the second served.
      expect(bfl.submissions() - bflTriesBefore).toBe(1);
      await expectOurImages(system, json, 1, replicate.baseUrl);
    } finally {
      bfl.reset();
    }
  });

  it("never lets a provider token into the logs", () => {
    const output = system.output();
    expect(output).toContain("provider-replicate");
    expect(output).not.toContain(REPLICATE_TOKEN);
    expect(output).not.toContain(BFL_KEY);
  });
});
