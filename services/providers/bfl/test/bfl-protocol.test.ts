import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { describeError } from "@imagegen/errors";
import { createProviderService } from "@imagegen/provider-kit";
import { createCapturingLogger, serveProvider, testImage, type ServedProvider } from "@imagegen/provider-kit/testing";
import {
  Format,
  GenerateRequestSchema,
  Operation,
  type GenerateResponse,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bflProvider } from "../src/bfl-provider.ts";
import { mapBflError } from "../src/map-error.ts";
import { costUsd, toSubmitBody } from "../src/translate.ts";
import { startFakeBfl } from "./fake-bfl.ts";

type GenerateInit = MessageInitShape<typeof GenerateRequestSchema>;
const png = await testImage("png", 8, 8);
const pro: GenerateInit = {
  model: "flux-pro-1.1",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "p",
  width: 1024,
  height: 768,
  numOutputs: 1,
  seed: 5,
  outputFormat: Format.JPEG,
};

describe("toSubmitBody", () => {
  it.each([
    {
      name: "flux-pro-1.1 takes pixels",
      req: pro,
      body: { prompt: "p", seed: 5, output_format: "jpeg", prompt_upsampling: false, width: 1024, height: 768 },
    },
    {
      name: "flux-dev adds steps and guidance",
      req: { ...pro, model: "flux-dev", steps: 28, guidance: 3.5, outputFormat: Format.PNG },
      body: {
        prompt: "p",
        seed: 5,
        output_format: "png",
        prompt_upsampling: false,
        width: 1024,
        height: 768,
        steps: 28,
        guidance: 3.5,
      },
    },
    {
      name: "fill sends bare base64 image and mask",
      req: {
        ...pro,
        model: "flux-pro-1.0-fill",
        operation: Operation.INPAINT,
        initImage: { data: png },
        mask: { data: png },
      },
      body: {
        prompt: "p",
        seed: 5,
        output_format: "jpeg",
        prompt_upsampling: false,
        image: png.toString("base64"),
        mask: png.toString("base64"),
      },
    },
  ])("$name", ({ req, body }) => {
    expect(toSubmitBody(create(GenerateRequestSchema, req))).toEqual(body);
  });

  it.each([
    [3, 0.03],
    [null, 0],
    [undefined, 0],
  ])("prices %s credits at $%s", (credits, usd) => {
    expect(costUsd(credits)).toBe(usd);
  });
});

describe("mapBflError", () => {
  const map = (status: number, text: string) => mapBflError({ status, headers: new Headers(), text });
  it.each([
    {
      name: "FastAPI 422 detail[] becomes field violations",
      status: 422,
      text: JSON.stringify({
        detail: [
          { loc: ["body", "width"], msg: "Input should be greater than or equal to 64", type: "greater_than_equal" },
        ],
      }),
      expected: {
        message: "width: Input should be greater than or equal to 64",
        fieldViolations: [
          {
            field: "width",
            description: "Input should be greater than or equal to 64",
            rule: "bfl.greater_than_equal",
          },
        ],
      },
    },
    {
      name: "a detail string is the message",
      status: 402,
      text: JSON.stringify({ detail: "Insufficient credits" }),
      expected: { message: "Insufficient credits", reason: undefined },
    },
    {
      name: "the error/message shape reads too",
      status: 429,
      text: JSON.stringify({ error: "rate_limit_exceeded", message: "Too many requests" }),
      expected: { message: "Too many requests", reason: undefined },
    },
    {
      name: "plain text is kept short",
      status: 500,
      text: "Internal Server Error",
      expected: { message: "Internal Server Error" },
    },
  ])("$name", ({ status, text, expected }) => {
    expect(map(status, text)).toEqual(expected);
  });
});

describe("bfl against its fake", () => {
  const key = "bfl_protocol-SECRET-0123456789";
  let fake: Awaited<ReturnType<typeof startFakeBfl>>;
  let expiring: Awaited<ReturnType<typeof startFakeBfl>>;
  let served: ServedProvider;
  let servedExpiring: ServedProvider;
  beforeAll(async () => {
    fake = await startFakeBfl({ key });
    expiring = await startFakeBfl({ key, sampleTtlMs: -1 });
    const serve = (baseUrl: string) =>
      serveProvider(
        createProviderService(bflProvider, {
          env: { BFL_API_KEY: key, BFL_BASE_URL: baseUrl },
          logger: createCapturingLogger(),
          pollIntervalMs: 5,
        }),
      );
    served = await serve(fake.baseUrl);
    servedExpiring = await serve(expiring.baseUrl);
  });
  afterAll(async () => {
    await Promise.all([served?.close(), servedExpiring?.close()]);
    await Promise.all([fake?.close(), expiring?.close()]);
  });
  const run = async (on: ServedProvider, init: GenerateInit): Promise<GenerateResponse[]> => {
    const events: GenerateResponse[] = [];
    for await (const e of on.client.generate(init, { timeoutMs: 10_000 })) events.push(e);
    return events;
  };

  it("polls the returned polling_url verbatim with x-key, and downloads without it", async () => {
    const before = fake.requests.length;
    const events = await run(served, pro);
    const seen = fake.requests.slice(before);
    const polls = seen.filter((r) => r.path.includes("get_result"));
    expect(polls.length).toBeGreaterThan(1);
    expect(polls.every((r) => r.path.startsWith("/regional/us2/v1/get_result?id=") && r.headers["x-key"] === key)).toBe(
      true,
    );
    const deliveries = seen.filter((r) => r.path.startsWith("/delivery/"));
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.headers["x-key"]).toBeUndefined();
    expect(events.some((e) => e.event.case === "progress")).toBe(true);
    const completed = events.at(-1)?.event;
    expect(completed?.case === "completed" && completed.value.providerCostUsd).toBe(0.04);
    const image = events.find((e) => e.event.case === "image")?.event;
    expect(image?.case === "image" && image.value.seed).toBe(1234567890);
  });

  it("reports an expired result URL as the vendor's bad answer", async () => {
    const error = await run(servedExpiring, pro).catch((e: unknown) => ConnectError.from(e));
    expect(describeError(error).row.name).toBe("UPSTREAM_BAD_RESPONSE");
  });

  it.each([
    ["Request Moderated", "INVALID_PROMPT"],
    ["Content Moderated", "INVALID_PROMPT"],
    ["Error", "GENERATION_FAILED"],
    ["Failed", "GENERATION_FAILED"],
    ["Task not found", "UPSTREAM_BAD_RESPONSE"],
  ])("ends a task that reports %s with %s", async (status, reason) => {
    fake.endWith(status);
    try {
      const error = await run(served, pro).catch((e: unknown) => ConnectError.from(e));
      expect(describeError(error).row.name).toBe(reason);
    } finally {
      fake.endWith(undefined);
    }
  });

  it("relays BFL's own 422 with its field", async () => {
    const error = await run(served, { ...pro, model: "flux-dev", prompt: "" }).catch((e: unknown) =>
      ConnectError.from(e),
    );
    const described = describeError(error);
    expect(described.row.name).toBe("UPSTREAM_INVALID_REQUEST");
    expect(described.fieldViolations).toEqual([
      { field: "prompt", description: "Field required", rule: "bfl.missing" },
    ]);
  });
});
