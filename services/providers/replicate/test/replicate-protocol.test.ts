import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { describeError } from "@imagegen/errors";
import { createProviderService, readProviderEnvironment } from "@imagegen/provider-kit";
import { createCapturingLogger, serveProvider, testImage, type ServedProvider } from "@imagegen/provider-kit/testing";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  Format,
  GenerateRequestSchema,
  Operation,
  type GenerateResponse,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapReplicateError } from "../src/map-error.ts";
import { replicateModel } from "../src/models.ts";
import { replicateProvider } from "../src/replicate-provider.ts";
import { aspectRatio, outputLocations, progressFromLogs, toCreateCall } from "../src/translate.ts";
import { startFakeReplicate } from "./fake-replicate.ts";

const png = await testImage("png", 8, 8);
type GenerateInit = MessageInitShape<typeof GenerateRequestSchema>;
const request = (init: GenerateInit) => create(GenerateRequestSchema, init);

describe("toCreateCall", () => {
  it.each([
    {
      name: "pins sdxl's version on /v1/predictions and maps SDXL inputs",
      req: {
        model: "stability-ai/sdxl",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "p",
        negativePrompt: "n",
        width: 512,
        height: 768,
        numOutputs: 2,
        seed: 9,
        steps: 30,
        guidance: 7,
      },
      path: "/v1/predictions",
      body: {
        version: "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b",
        input: {
          prompt: "p",
          negative_prompt: "n",
          width: 512,
          height: 768,
          num_outputs: 2,
          seed: 9,
          num_inference_steps: 30,
          guidance_scale: 7,
        },
      },
    },
    {
      name: "sends flux-schnell to the official models endpoint without a version, size as aspect ratio",
      req: {
        model: "black-forest-labs/flux-schnell",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "p",
        width: 768,
        height: 1344,
        numOutputs: 1,
        outputFormat: Format.JPEG,
      },
      path: "/v1/models/black-forest-labs/flux-schnell/predictions",
      body: { input: { prompt: "p", aspect_ratio: "9:16", num_outputs: 1, output_format: "jpg" } },
    },
    {
      name: "asks flux-1.1-pro for a custom size",
      req: {
        model: "black-forest-labs/flux-1.1-pro",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "p",
        width: 1024,
        height: 768,
        numOutputs: 1,
        outputFormat: Format.WEBP,
      },
      path: "/v1/models/black-forest-labs/flux-1.1-pro/predictions",
      body: { input: { prompt: "p", aspect_ratio: "custom", width: 1024, height: 768, output_format: "webp" } },
    },
    {
      name: "inlines the image to upscale as a data URI",
      req: {
        model: "nightmareai/real-esrgan",
        operation: Operation.UPSCALE,
        initImage: { data: png, format: Format.PNG },
        scale: 2,
      },
      path: "/v1/predictions",
      body: {
        version: "42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b",
        input: { image: `data:image/png;base64,${png.toString("base64")}`, scale: 2 },
      },
    },
  ])("$name", ({ req, path, body }) => {
    const r = request(req);
    expect(toCreateCall(r, replicateModel(r.model)!)).toEqual({ path, body });
  });

  it("refuses image-to-image without an init image", () => {
    const r = request({ model: "stability-ai/sdxl", operation: Operation.IMAGE_TO_IMAGE, prompt: "p" });
    expect(() => toCreateCall(r, replicateModel(r.model)!)).toThrow(/init_image is required/);
  });

  it.each([
    [1024, 1024, "1:1"],
    [1344, 768, "16:9"],
    [0, 0, "1:1"],
  ])("maps %ix%i to %s", (width, height, ratio) => {
    expect(aspectRatio({ width, height })).toBe(ratio);
  });
});

describe("reading predictions", () => {
  it.each([
    { output: ["https://x/1.png", "https://x/2.png"], locations: ["https://x/1.png", "https://x/2.png"] },
    { output: "https://x/1.png", locations: ["https://x/1.png"] },
    { output: "data:image/png;base64,AAAA", locations: ["data:image/png;base64,AAAA"] },
    { output: null, locations: [] },
    { output: [], locations: [] },
  ])("finds outputs in $output", ({ output, locations }) => {
    expect(outputLocations({ id: "p", status: "succeeded", output })).toEqual(locations);
  });

  it.each([
    ["", undefined],
    ["Using seed: 1\n 10%|█ | 5/50 [00:00<00:04]\n 60%|██████ | 30/50 [00:03<00:02]", 0.6],
    ["no bar here", undefined],
  ])("reads progress from logs %j", (logs, fraction) => {
    expect(progressFromLogs(logs)).toBe(fraction);
  });
});

describe("mapReplicateError", () => {
  const map = (status: number, body: unknown) =>
    mapReplicateError({ status, headers: new Headers(), text: typeof body === "string" ? body : JSON.stringify(body) });
  it("turns 422 invalid_fields into field violations", () => {
    expect(
      map(422, {
        title: "Input validation failed",
        detail: "- input.num_inference_steps: Must be less than or equal to 4\n",
        invalid_fields: [
          { type: "number_lte", field: "input.num_inference_steps", description: "Must be less than or equal to 4" },
        ],
      }),
    ).toEqual({
      message: "Input validation failed: - input.num_inference_steps: Must be less than or equal to 4",
      title: "Input validation failed",
      detail: "- input.num_inference_steps: Must be less than or equal to 4",
      fieldViolations: [
        {
          field: "input.num_inference_steps",
          description: "Must be less than or equal to 4",
          rule: "replicate.number_lte",
        },
      ],
    });
  });
  it.each([
    [
      402,
      { title: "Insufficient credit", detail: "You have insufficient credit" },
      "Insufficient credit: You have insufficient credit",
    ],
    [500, "upstream connect error", "upstream connect error"],
  ])("reads the message of a %i", (status, body, message) => {
    expect(map(status, body).message).toBe(message);
  });
  it("treats a moderation problem as a content-policy refusal", () => {
    expect(map(400, { detail: "The input or output was flagged as sensitive. (E005)" }).moderated).toBe(true);
    expect(map(400, { detail: "input.width must be a multiple of 8" }).moderated).toBeUndefined();
  });
});

describe("replicate against its fake", () => {
  const token = "r8_protocol-SECRET-0123456789";
  let fake: Awaited<ReturnType<typeof startFakeReplicate>>;
  let served: ServedProvider;
  beforeAll(async () => {
    fake = await startFakeReplicate({
      token,
      waitScale: 0.05,
      outputs: { "black-forest-labs/flux-1.1-pro": "data-uri" },
    });
    const env = { REPLICATE_API_TOKEN: token, REPLICATE_BASE_URL: fake.baseUrl };
    served = await serveProvider(
      createProviderService(replicateProvider, { env, logger: createCapturingLogger(), pollIntervalMs: 5 }),
    );
  });
  afterAll(async () => {
    await served?.close();
    await fake?.close();
  });
  const run = async (init: GenerateInit): Promise<GenerateResponse[]> => {
    const events: GenerateResponse[] = [];
    for await (const e of served.client.generate(init, { timeoutMs: 10_000 })) events.push(e);
    return events;
  };

  it("accepts REPLICATE_API_KEY (seed 001's name) when REPLICATE_API_TOKEN is absent", () => {
    expect(readProviderEnvironment(replicateProvider, { REPLICATE_API_KEY: "r8_x" })).toMatchObject({
      token: "r8_x",
      notConfigured: undefined,
    });
    expect(readProviderEnvironment(replicateProvider, {}).notConfigured).toBe("REPLICATE_API_TOKEN is not set");
  });

  it("decodes a data-URI output without any download", async () => {
    const before = fake.deliveries.length;
    const events = await run({
      model: "black-forest-labs/flux-1.1-pro",
      operation: Operation.TEXT_TO_IMAGE,
      prompt: "p",
      width: 1024,
      height: 1024,
      numOutputs: 1,
    });
    expect(events.filter((e) => e.event.case === "image")).toHaveLength(1);
    expect(fake.deliveries.length).toBe(before);
  });

  it("asks for sync mode with a bounded wait and a Cancel-After, and reports progress and seeds from the logs", async () => {
    const events = await run({
      model: "stability-ai/sdxl",
      operation: Operation.TEXT_TO_IMAGE,
      prompt: "p",
      width: 512,
      height: 512,
      numOutputs: 2,
      seed: 1,
    });
    const create = fake.creates.at(-1)!;
    expect(create.headers.prefer).toMatch(/^wait=\d+$/);
    expect(create.headers["cancel-after"]).toMatch(/^\d+s$/);
    expect(events.some((e) => e.event.case === "progress" && e.event.value.fraction === 0.1)).toBe(true);
    const seeds = events.flatMap((e) => (e.event.case === "image" ? [e.event.value.seed] : []));
    expect(seeds).toEqual([42069, 42070]);
  });

  it("downloads outputs without our token", async () => {
    await run({
      model: "stability-ai/sdxl",
      operation: Operation.TEXT_TO_IMAGE,
      prompt: "p",
      width: 512,
      height: 512,
      numOutputs: 1,
    });
    expect(fake.deliveries.length).toBeGreaterThan(0);
    expect(fake.deliveries.every((d) => d.headers.authorization === undefined)).toBe(true);
  });

  it("cancels the running prediction when the caller leaves the Generate stream", async () => {
    fake.script({ kind: "hang" });
    const leave = new AbortController();
    const stream = served.client.generate(
      {
        model: "stability-ai/sdxl",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "p",
        width: 512,
        height: 512,
        numOutputs: 1,
      },
      { timeoutMs: 10_000, signal: leave.signal },
    );
    const consumed = (async () => {
      for await (const event of stream) if (event.event.case === "accepted") leave.abort();
    })().catch(() => undefined);
    // The prediction hangs at the vendor: only the kit's cancel on the caller's abort can stop it.
    await fake.sawStop();
    await consumed;
  });

  it("relays Replicate's own 422 with its field, as the vendor's invalid request", async () => {
    const error = await run({
      model: "black-forest-labs/flux-schnell",
      operation: Operation.TEXT_TO_IMAGE,
      prompt: "p",
      width: 1024,
      height: 1024,
      numOutputs: 1,
      steps: 8,
    }).catch((e: unknown) => ConnectError.from(e));
    const described = describeError(error);
    expect(described.row.name).toBe("UPSTREAM_INVALID_REQUEST");
    expect(described.fieldViolations).toEqual([
      {
        field: "input.num_inference_steps",
        description: "Must be less than or equal to 4",
        rule: "replicate.number_lte",
      },
    ]);
  });
});
