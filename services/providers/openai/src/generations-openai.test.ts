import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { describeError, ErrorReason } from "@imagegen/errors";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { translateOpenAiRequest } from "./translate-request.ts";
import { translateOpenAiResponse } from "./translate-response.ts";

const request = (fields: MessageInitShape<typeof GenerateRequestSchema>) =>
  create(GenerateRequestSchema, { operation: Operation.TEXT_TO_IMAGE, prompt: "a red fox", numOutputs: 1, ...fields });

describe("openai /images/generations request", () => {
  it.each([
    {
      name: "gpt-image sends size and output format, never response_format",
      req: request({
        model: "gpt-image-1",
        width: 1536,
        height: 1024,
        outputFormat: Format.WEBP,
        quality: 80,
        numOutputs: 3,
      }),
      json: {
        model: "gpt-image-1",
        prompt: "a red fox",
        n: 3,
        size: "1536x1024",
        output_format: "webp",
        output_compression: 80,
      },
    },
    {
      name: "gpt-image png ignores quality (compression is for lossy formats only)",
      req: request({ model: "gpt-image-1", outputFormat: Format.PNG, quality: 50 }),
      json: { model: "gpt-image-1", prompt: "a red fox", output_format: "png" },
    },
    {
      name: "dall-e-3 asks for base64 instead of a 60-minute URL",
      req: request({ model: "dall-e-3", width: 1792, height: 1024 }),
      json: { model: "dall-e-3", prompt: "a red fox", size: "1792x1024", response_format: "b64_json" },
    },
    {
      name: "no size leaves OpenAI's default",
      req: request({ model: "dall-e-2" }),
      json: { model: "dall-e-2", prompt: "a red fox", response_format: "b64_json" },
    },
  ])("$name", async ({ req, json }) => {
    expect(await translateOpenAiRequest(req)).toEqual({ path: "/images/generations", json });
  });

  it.each([
    { name: "unknown model", req: request({ model: "gpt-4o" }), reason: ErrorReason.MODEL_NOT_AVAILABLE },
    {
      name: "upscale is not an OpenAI operation",
      req: request({ model: "gpt-image-1", operation: Operation.UPSCALE }),
      reason: ErrorReason.UNSUPPORTED,
    },
  ])("refuses $name", async ({ req, reason }) => {
    const error = await translateOpenAiRequest(req).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(describeError(error).row.reason).toBe(reason);
  });
});

describe("openai ImagesResponse", () => {
  const png = Buffer.from("fake-png-bytes");

  it.each([
    {
      name: "b64_json becomes bytes in the format the body names",
      body: { created: 1, data: [{ b64_json: png.toString("base64") }], output_format: "webp" },
      want: [{ kind: "bytes", data: png, format: Format.WEBP }],
    },
    {
      name: "b64_json without output_format keeps the requested format",
      body: { created: 1, data: [{ b64_json: png.toString("base64"), revised_prompt: "x" }] },
      want: [{ kind: "bytes", data: png, format: Format.PNG }],
    },
    {
      name: "a DALL·E url is handed over for download",
      body: { created: 1, data: [{ url: "https://example.test/a.png?sig=1" }] },
      want: [{ kind: "url", url: "https://example.test/a.png?sig=1" }],
    },
  ])("$name", ({ body, want }) => {
    expect(translateOpenAiResponse(body, Format.PNG)).toEqual(want);
  });

  it.each([
    { name: "an empty data list", body: { created: 1, data: [] } },
    { name: "no data at all", body: { created: 1 } },
    { name: "a non-object body", body: "oops" },
    { name: "an item without image", body: { created: 1, data: [{ revised_prompt: "x" }] } },
    { name: "a non-http url", body: { created: 1, data: [{ url: "file:///etc/passwd" }] } },
  ])("treats $name as UPSTREAM_BAD_RESPONSE", ({ body }) => {
    let error: unknown;
    try {
      translateOpenAiResponse(body, Format.PNG);
    } catch (e) {
      error = e;
    }
    expect(describeError(error).row.reason).toBe(ErrorReason.UPSTREAM_BAD_RESPONSE);
  });
});
