import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeError, ErrorReason } from "@imagegen/errors";
import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { createFakeProvider } from "./fake-provider.ts";
import { SHIPPED_CONFIG, startInMemoryFront, type InMemoryFront } from "./in-memory-front.ts";

// Admission (scopes, quota, concurrency) refuses before any provider call, and the price
// charged is the serving route's: table-driven against the in-memory front.
const bfl = createFakeProvider({ id: "bfl", models: { "flux-pro-1.1": {} } });
const replicate = createFakeProvider({
  id: "replicate",
  models: { "black-forest-labs/flux-1.1-pro": {}, "stability-ai/sdxl": {} },
});

/** The shipped catalog, with FLUX 1.1 pro priced per route: 2 credits at BFL, 3 at Replicate. */
function routePricedConfig(): string {
  const config = parse(readFileSync(SHIPPED_CONFIG, "utf8")) as { models: Array<Record<string, any>> };
  const flux = config.models.find((m) => m.id === "flux-pro-1.1")!;
  flux.routes = [
    { provider: "bfl", model: "flux-pro-1.1" },
    { provider: "replicate", model: "black-forest-labs/flux-1.1-pro", pricing: { usd_per_image: 0.06, credits: 3 } },
  ];
  const file = join(mkdtempSync(join(tmpdir(), "imagegen-config-")), "imagegen.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

let front: InMemoryFront;
beforeAll(async () => {
  front = await startInMemoryFront({ providers: [bfl, replicate], configPath: routePricedConfig() });
});
afterAll(() => front?.close());

let seed = 0;
const request = (model: string, numOutputs = 1) => ({
  prompt: "a lighthouse",
  model,
  parameters: { width: 64, height: 64, numOutputs, seed: ++seed },
});
async function keyWith(fields: Record<string, unknown>) {
  const { secret } = await front.admin.createApiKey({ owner: `owner-${++seed}`, tier: "pro", ...fields });
  return front.as(secret);
}

describe("the price charged is the route that served", () => {
  it.each([
    { name: "the first route", bflJob: { kind: "images" } as const, provider: "bfl", credits: 4, usd: 0.08 },
    {
      name: "the fallback route at its own price",
      bflJob: { kind: "error", reason: ErrorReason.UPSTREAM_UNAVAILABLE } as const,
      provider: "replicate",
      credits: 6,
      usd: 0.12,
    },
  ])("$name", async ({ bflJob, provider, credits, usd }) => {
    const caller = await keyWith({});
    bfl.script(bflJob);
    const generation = await caller.images.textToImage(request("flux-pro-1.1", 2));
    expect([generation.provider, generation.cost?.credits, generation.cost?.usd]).toEqual([provider, credits, usd]);
    // The pro tier's 50 000 monthly credits (config/imagegen.yaml), less exactly that price.
    expect((await caller.users.getProfile({})).user?.usage?.creditsRemaining).toBe(50_000 - credits);
  });
});

describe("admission refuses before any provider call", () => {
  it.each([
    {
      name: "a model outside the key's scope",
      key: { allowedModels: ["local"] },
      model: "flux-pro-1.1",
      code: "FORBIDDEN",
    },
    {
      name: "no provider of the model in the key's scope",
      key: { allowedProviders: ["openai"] },
      model: "flux-pro-1.1",
      code: "FORBIDDEN",
    },
    {
      name: "a request dearer than the credits left (admitted at the dearest route)",
      key: { monthlyCreditQuota: 5 },
      model: "flux-pro-1.1",
      outputs: 2,
      code: "QUOTA_EXCEEDED",
    },
    { name: "an unknown model", key: {}, model: "no-such-model", code: "NOT_FOUND" },
    { name: "a model whose providers are not running", key: {}, model: "dall-e-3", code: "MODEL_NOT_AVAILABLE" },
  ])("$name: $code", async ({ key, model, outputs, code }) => {
    const caller = await keyWith(key);
    const calls = bfl.calls.length + replicate.calls.length;
    const error = await caller.images.textToImage(request(model, outputs)).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe(code);
    expect(bfl.calls.length + replicate.calls.length).toBe(calls);
    expect((await caller.images.listGenerations({})).generations).toEqual([]);
  });

  it("a provider scope narrows the routes: a key limited to Replicate is served there", async () => {
    const caller = await keyWith({ allowedProviders: ["replicate"] });
    expect(await caller.images.textToImage(request("flux-pro-1.1"))).toMatchObject({
      provider: "replicate",
      status: GenerationStatus.COMPLETED,
    });
  });

  it("caps the generations one key runs at once (the free tier: 2)", async () => {
    const caller = await keyWith({ tier: "free" });
    // Admitted (the gate held) before the create call answers; polling would spend the tier's rate limit.
    bfl.script({ kind: "hold" }, { kind: "hold" });
    const async = { headers: { prefer: "respond-async" } };
    const running = [
      await caller.images.textToImage(request("flux-pro-1.1"), async),
      await caller.images.textToImage(request("flux-pro-1.1"), async),
    ];
    const error = await caller.images.textToImage(request("flux-pro-1.1")).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("RATE_LIMITED");
    // Refused before anything was stored (or dispatched).
    expect((await caller.images.listGenerations({})).generations.map((g) => g.id).sort()).toEqual(
      running.map((g) => g.id).sort(),
    );
    bfl.release();
    await front.app.drain(5_000);
    for (const g of running)
      expect((await caller.images.getGeneration({ id: g.id })).status).toBe(GenerationStatus.COMPLETED);
  });
});

describe("the monthly credits", () => {
  it("are read once per create call: admission checks the figures the quota headers report", async () => {
    const caller = await keyWith({ monthlyCreditQuota: 7 });
    const reads = vi.spyOn(SqliteStore.prototype, "creditsSpentInMonth");
    try {
      const generation = await caller.images.textToImage(request("flux-pro-1.1", 2));
      expect(generation.status).toBe(GenerationStatus.COMPLETED);
      expect(reads).toHaveBeenCalledTimes(1);
      // 4 of the 7 credits charged; the next call (up to 6 at the dearest route) is refused on them.
      const error = await caller.images.textToImage(request("flux-pro-1.1", 2)).catch((e: unknown) => e);
      expect(describeError(error).row.name).toBe("QUOTA_EXCEEDED");
      expect(reads).toHaveBeenCalledTimes(2);
    } finally {
      reads.mockRestore();
    }
  });
});
