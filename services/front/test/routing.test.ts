import { describeError, ErrorReason } from "@imagegen/errors";
import { Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeProvider, type FakeProvider } from "./fake-provider.ts";
import { startInMemoryFront, type InMemoryFront } from "./in-memory-front.ts";

// DESIGN.md "Routing rule": a model id names one model; a fallback moves only between routes
// that serve it; the offline renderer never stands in for a real model whose configured
// provider fails; the price charged is the serving route's.
const ALL_OPERATIONS = [
  Operation.TEXT_TO_IMAGE,
  Operation.IMAGE_TO_IMAGE,
  Operation.INPAINT,
  Operation.VARIATION,
  Operation.UPSCALE,
  Operation.REMOVE_BACKGROUND,
];
const local = () => createFakeProvider({ id: "local", models: { "local-procedural": { operations: ALL_OPERATIONS } } });
const replicate = (configured = true) =>
  createFakeProvider({
    id: "replicate",
    configured,
    models: { "stability-ai/sdxl": {}, "black-forest-labs/flux-1.1-pro": {} },
  });
const bfl = () => createFakeProvider({ id: "bfl", models: { "flux-pro-1.1": {} } });
const sdxl = { prompt: "a lighthouse", model: "stable-diffusion-xl", parameters: { width: 64, height: 64, seed: 7 } };

let front: InMemoryFront | undefined;
afterEach(async () => {
  await front?.close();
  front = undefined;
});

async function start(...providers: FakeProvider[]): Promise<InMemoryFront> {
  front = await startInMemoryFront({ providers });
  return front;
}

/** The admin's monthly credits (enterprise tier) minus what remains: what was charged. */
async function creditsCharged(f: InMemoryFront): Promise<number> {
  return 1_000_000 - ((await f.users.getProfile({})).user?.usage?.creditsRemaining ?? Number.NaN);
}

describe("no silent downgrade", () => {
  it.each([
    {
      name: "401/403 from the vendor",
      reason: ErrorReason.UPSTREAM_AUTH,
      code: "UPSTREAM_AUTH",
      retryAfter: undefined,
    },
    {
      name: "429 from the vendor",
      reason: ErrorReason.UPSTREAM_RATE_LIMITED,
      code: "UPSTREAM_RATE_LIMITED",
      retryAfter: 120,
    },
    {
      name: "garbage from the vendor",
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
      code: "UPSTREAM_BAD_RESPONSE",
      retryAfter: undefined,
    },
    {
      name: "the vendor unreachable",
      reason: ErrorReason.UPSTREAM_UNAVAILABLE,
      code: "UPSTREAM_UNAVAILABLE",
      retryAfter: undefined,
    },
  ])(
    "SDXL with configured Replicate failing ($name) is that error, uncharged, never served by local",
    async ({ reason, code, retryAfter }) => {
      const [r, l] = [replicate(), local()];
      const f = await start(r, l);
      r.script({ kind: "error", reason, retryAfterSeconds: retryAfter });
      const error = await f.images.textToImage(sdxl).then(
        () => undefined,
        (e: unknown) => e,
      );
      const described = describeError(error);
      expect(described.row.name).toBe(code);
      expect(described.retryAfterSeconds).toBe(retryAfter);
      expect(l.calls).toHaveLength(0);
      const [stored] = (await f.images.listGenerations({})).generations;
      expect(stored).toMatchObject({
        status: GenerationStatus.FAILED,
        provider: "replicate",
        model: "stable-diffusion-xl",
      });
      expect(stored?.cost?.credits ?? 0).toBe(0);
      expect(await creditsCharged(f)).toBe(0);
    },
  );

  it("SDXL with Replicate healthy is served by Replicate at SDXL's price", async () => {
    const f = await start(replicate(), local());
    const generation = await f.images.textToImage({ ...sdxl, parameters: { ...sdxl.parameters, numOutputs: 2 } });
    expect(generation).toMatchObject({
      status: GenerationStatus.COMPLETED,
      provider: "replicate",
      model: "stable-diffusion-xl",
    });
    expect([generation.cost?.credits, generation.cost?.usd]).toEqual([2, 0.04]);
    expect(await creditsCharged(f)).toBe(2);
  });

  it("falls back between routes of the same model, charged at the route that served", async () => {
    const [b, r] = [bfl(), replicate()];
    const f = await start(b, r, local());
    b.script({ kind: "error", reason: ErrorReason.UPSTREAM_UNAVAILABLE });
    const generation = await f.images.textToImage({ ...sdxl, model: "flux-pro-1.1" });
    expect(generation).toMatchObject({
      status: GenerationStatus.COMPLETED,
      provider: "replicate",
      model: "flux-pro-1.1",
    });
    expect([b.calls.length, r.calls.length, r.calls[0]?.model]).toEqual([1, 1, "black-forest-labs/flux-1.1-pro"]);
    expect(generation.cost?.credits).toBe(2);
  });
});

describe("the offline stand-in", () => {
  it("serves a seed model id only with no provider of it configured, says so, and costs what local costs", async () => {
    const f = await start(replicate(false), local());
    const generation = await f.images.textToImage(sdxl);
    expect(generation).toMatchObject({
      status: GenerationStatus.COMPLETED,
      provider: "local",
      model: "stable-diffusion-xl",
    });
    expect(generation.cost?.credits ?? 0).toBe(0);
    const { model } = await f.models.getModel({ modelId: "stable-diffusion-xl" });
    expect(model).toMatchObject({ status: "active", providers: ["local"], pricing: { perImage: 0, credits: 0 } });
    expect(model?.statusReason).toMatch(/^offline stand-in: served by the local provider's local-procedural model, /);
  });

  it("is not the default model: a request without one gets local itself", async () => {
    const f = await start(replicate(false), local());
    expect(await f.images.textToImage({ prompt: "a lighthouse", parameters: { width: 64, height: 64 } })).toMatchObject(
      { model: "local", provider: "local" },
    );
  });

  it("does not come back once a configured Replicate has gone away", async () => {
    const [r, l] = [replicate(), local()];
    const f = await start(r, l);
    // Seen configured once, then gone: an outage to report, not an offline demo.
    r.setDown(true);
    for (let i = 0; i < 2; i++) await f.app.providers.refresh();
    const error = await f.images.textToImage(sdxl).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("MODEL_NOT_AVAILABLE");
    expect(l.calls).toHaveLength(0);
    expect((await f.models.getModel({ modelId: "stable-diffusion-xl" })).model).toMatchObject({
      status: "unavailable",
      providers: ["replicate", "automatic1111"],
    });
  });
});

describe("one unary call where a job does not progress", () => {
  it("a model declared without progress is served by one GenerateUnary call, images stored and charged as streamed", async () => {
    const r = createFakeProvider({
      id: "replicate",
      unary: true,
      models: { "stability-ai/sdxl": { progress: false } },
    });
    const f = await start(r, local());
    const generation = await f.images.textToImage({ ...sdxl, parameters: { ...sdxl.parameters, numOutputs: 2 } });
    expect(generation).toMatchObject({ status: GenerationStatus.COMPLETED, provider: "replicate" });
    expect(generation.images).toHaveLength(2);
    expect(r.calls).toHaveLength(1);
    expect(r.unaryCalls()).toBe(1);
    expect(await creditsCharged(f)).toBe(generation.cost?.credits);
    expect(generation.cost?.credits).toBeGreaterThan(0);
  });

  it("a model that reports progress keeps the stream", async () => {
    const r = createFakeProvider({ id: "replicate", unary: true, models: { "stability-ai/sdxl": { progress: true } } });
    const f = await start(r, local());
    expect(await f.images.textToImage(sdxl)).toMatchObject({
      status: GenerationStatus.COMPLETED,
      provider: "replicate",
    });
    expect(r.calls).toHaveLength(1);
    expect(r.unaryCalls()).toBe(0);
  });

  it("a provider without GenerateUnary (an older build) is streamed to instead, and the job still served", async () => {
    const r = createFakeProvider({ id: "replicate", models: { "stability-ai/sdxl": { progress: false } } });
    const f = await start(r, local());
    // Two different prompts: the second is not a cache hit, and must not try the unary call again.
    for (const prompt of ["a lighthouse", "a harbour"])
      expect(await f.images.textToImage({ ...sdxl, prompt })).toMatchObject({
        status: GenerationStatus.COMPLETED,
        provider: "replicate",
      });
    expect(r.calls).toHaveLength(2);
    expect(r.unaryCalls()).toBe(0);
  });

  it("a provider's refusal on the unary call is the same error, uncharged, never served by local", async () => {
    const [r, l] = [
      createFakeProvider({ id: "replicate", unary: true, models: { "stability-ai/sdxl": { progress: false } } }),
      local(),
    ];
    const f = await start(r, l);
    r.script({ kind: "error", reason: ErrorReason.UPSTREAM_AUTH });
    const error = await f.images.textToImage(sdxl).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeError(error).row.name).toBe("UPSTREAM_AUTH");
    expect(r.unaryCalls()).toBe(1);
    expect(l.calls).toHaveLength(0);
    expect(await creditsCharged(f)).toBe(0);
  });
});
