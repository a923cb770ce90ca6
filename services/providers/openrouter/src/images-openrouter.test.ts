import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describeError, ErrorReason } from "@imagegen/errors";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { translateOpenRouterRequest } from "./translate-request.ts";
import { translateImagesResponse } from "./translate-response.ts";

const request = (fields: MessageInitShape<typeof GenerateRequestSchema>) =>
  create(GenerateRequestSchema, { operation: Operation.TEXT_TO_IMAGE, prompt: "a panda", numOutputs: 1, ...fields });

describe("openrouter /images request", () => {
  it.each([
    {
      name: "sends n, size, format, compression and seed",
      req: request({
        model: "bytedance-seed/seedream-4.5",
        numOutputs: 2,
        width: 2048,
        height: 2048,
        outputFormat: Format.JPEG,
        quality: 70,
        seed: 9,
      }),
      json: {
        model: "bytedance-seed/seedream-4.5",
        prompt: "a panda",
        n: 2,
        size: "2048x2048",
        output_format: "jpeg",
        output_compression: 70,
        seed: 9,
      },
    },
    {
      name: "leaves every optional out when unset",
      req: request({ model: "openai/dall-e-3" }),
      json: { model: "openai/dall-e-3", prompt: "a panda" },
    },
    {
      name: "image-to-image sends the input as an input reference",
      req: request({
        model: "openai/gpt-image-1",
        operation: Operation.IMAGE_TO_IMAGE,
        initImage: { data: Buffer.from("hi"), format: Format.PNG, width: 8, height: 8 },
      }),
      json: {
        model: "openai/gpt-image-1",
        prompt: "a panda",
        input_references: [{ type: "image_url", image_url: { url: "data:image/png;base64,aGk=" } }],
      },
    },
  ])("$name", ({ req, json }) => {
    expect(translateOpenRouterRequest(req)).toEqual({ path: "/images", json });
  });
});

describe("openrouter /images answer", () => {
  it("turns base64 items into data URLs and keeps the reported cost", () => {
    const body = {
      created: 1,
      data: [{ b64_json: "AAAA", media_type: "image/webp" }, { b64_json: "BBBB" }],
      usage: { cost: 0.04 },
    };
    expect(translateImagesResponse(body)).toEqual({
      ok: true,
      locations: ["data:image/webp;base64,AAAA", "data:image/png;base64,BBBB"],
      costUsd: 0.04,
    });
  });

  it.each([
    { name: "an empty data list", body: { created: 1, data: [] } },
    { name: "items without base64", body: { created: 1, data: [{ media_type: "image/png" }] } },
    { name: "a string body", body: "ok" },
  ])("treats $name as UPSTREAM_BAD_RESPONSE", ({ body }) => {
    let reason;
    try {
      translateImagesResponse(body);
    } catch (error) {
      reason = describeError(error).row.reason;
    }
    expect(reason).toBe(ErrorReason.UPSTREAM_BAD_RESPONSE);
  });
});
