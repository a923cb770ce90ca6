import { describeError } from "@imagegen/errors";
import { Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { testImage } from "@imagegen/provider-kit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeProvider, type FakeProvider } from "./fake-provider.ts";
import { startInMemoryFront, type InMemoryFront } from "./in-memory-front.ts";

// Everything GET /api/v2/models[/{id}] says is either true (declared by the route that serves,
// or measured) or absent.
const ALL_OPERATIONS = [
  Operation.TEXT_TO_IMAGE,
  Operation.IMAGE_TO_IMAGE,
  Operation.INPAINT,
  Operation.VARIATION,
  Operation.UPSCALE,
  Operation.REMOVE_BACKGROUND,
];
const local = () =>
  createFakeProvider({
    id: "local",
    models: {
      "local-procedural": { operations: ALL_OPERATIONS },
      "esrgan-slim": { operations: [Operation.UPSCALE] },
      "isnet-medium": { operations: [Operation.REMOVE_BACKGROUND] },
    },
  });
const replicate = (configured = true) =>
  createFakeProvider({
    id: "replicate",
    configured,
    models: {
      "stability-ai/sdxl": {
        operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE, Operation.INPAINT],
        maxSize: 1024,
      },
      "nightmareai/real-esrgan": { operations: [Operation.UPSCALE] },
      "black-forest-labs/flux-schnell": {
        fixedSizes: [
          { width: 1024, height: 1024 },
          { width: 1344, height: 768 },
        ],
      },
    },
  });

async function pngDataUrl(width: number, height: number): Promise<string> {
  return `data:image/png;base64,${Buffer.from(await testImage("png", width, height)).toString("base64")}`;
}

let front: InMemoryFront | undefined;
afterEach(async () => {
  await front?.close();
  front = undefined;
});
async function start(...providers: FakeProvider[]): Promise<InMemoryFront> {
  front = await startInMemoryFront({ providers });
  return front;
}
async function listed(f: InMemoryFront, id: string) {
  return (await f.models.listModels({})).models.find((m) => m.id === id);
}

describe("capabilities are what the serving route declares", () => {
  it.each([
    { setup: "offline", model: "real-esrgan", capabilities: ["upscale"] },
    { setup: "offline", model: "stable-diffusion-xl", capabilities: ["image-to-image", "inpainting", "text-to-image"] },
    { setup: "offline", model: "stable-diffusion", capabilities: ["image-to-image", "variation"] },
    { setup: "offline", model: "remove-background", capabilities: ["remove-background"] },
    { setup: "offline", model: "flux-schnell", capabilities: [] },
    { setup: "replicate", model: "real-esrgan", capabilities: ["upscale"] },
    { setup: "replicate", model: "stable-diffusion", capabilities: ["image-to-image", "inpainting", "text-to-image"] },
  ])("$setup: $model offers $capabilities", async ({ setup, model, capabilities }) => {
    const f = await start(replicate(setup === "replicate"), local());
    expect((await listed(f, model))?.capabilities.sort()).toEqual(capabilities);
  });

  it.each(["offline", "replicate"])(
    "%s: text-to-image on an upscaler is 400 UNSUPPORTED before any provider call or record",
    async (setup) => {
      const [r, l] = [replicate(setup === "replicate"), local()];
      const f = await start(r, l);
      const error = await f.images
        .textToImage({ prompt: "a lighthouse", model: "real-esrgan", parameters: { width: 64, height: 64 } })
        .catch((e: unknown) => e);
      expect(describeError(error)).toMatchObject({ row: { name: "UNSUPPORTED", httpStatus: 400 } });
      expect([r.calls.length, l.calls.length]).toEqual([0, 0]);
      expect((await f.images.listGenerations({})).generations).toHaveLength(0);
    },
  );
});

describe("real-esrgan offline", () => {
  it("is served by the local super-resolution network, which the catalog names, never by a resize", async () => {
    const l = local();
    const f = await start(replicate(false), l);
    const model = await listed(f, "real-esrgan");
    expect(model).toMatchObject({ status: "active", providers: ["local"], capabilities: ["upscale"] });
    expect(model?.statusReason).toBe(
      "offline stand-in: served by the local provider's esrgan-slim model, esrgan-slim, because no provider of this model is configured",
    );
    const upscaled = await f.images.upscale({
      imageUrl: await pngDataUrl(64, 64),
      scaleFactor: 2,
      model: "real-esrgan",
    });
    expect(upscaled.result?.url).toBeTruthy();
    expect(l.calls.map((c) => [c.model, c.operation, c.scale])).toEqual([["esrgan-slim", Operation.UPSCALE, 2]]);
  });
});

describe("sizes, schedulers and performance", () => {
  it("lists a fixed-size route's sizes exactly, a range route's common sizes within its range, an unavailable model's none", async () => {
    const f = await start(replicate(), local());
    expect((await listed(f, "flux-schnell"))?.supportedSizes.map((s) => `${s.width}x${s.height}`)).toEqual([
      "1024x1024",
      "1344x768",
    ]);
    expect((await listed(f, "stable-diffusion-xl"))?.supportedSizes.map((s) => `${s.width}x${s.height}`)).toEqual([
      "1024x1024",
      "768x768",
      "512x512",
    ]);
    expect((await listed(f, "dall-e-3"))?.supportedSizes).toEqual([]);
  });

  it("names schedulers for a real route only, never for the offline stand-in", async () => {
    const online = await start(replicate(), local());
    expect(
      (await online.models.getModel({ modelId: "stable-diffusion-xl" })).model?.parameters?.supportedSchedulers,
    ).toEqual(["DPMSolverMultistep", "DDIM", "K_EULER"]);
    await online.close();
    const offline = await start(replicate(false), local());
    expect(
      (await offline.models.getModel({ modelId: "stable-diffusion-xl" })).model?.parameters?.supportedSchedulers,
    ).toEqual([]);
  });

  it("reports performance only once measured, from the generations that completed", async () => {
    const f = await start(replicate(), local());
    expect((await listed(f, "stable-diffusion-xl"))?.performance).toBeUndefined();
    await f.images.textToImage({
      prompt: "a lighthouse",
      model: "stable-diffusion-xl",
      parameters: { width: 64, height: 64 },
    });
    const measured = (await f.models.getModel({ modelId: "stable-diffusion-xl" })).model?.performance;
    expect(measured?.averageGenerationTime).toBeGreaterThan(0);
    expect(measured?.averageGenerationTime).toBeLessThan(5);
    expect(measured?.queueTime).toBeGreaterThanOrEqual(0);
    expect((await listed(f, "flux-schnell"))?.performance).toBeUndefined();
  });
});
