import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describeError, ErrorReason } from "@imagegen/errors";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { translateOpenRouterRequest } from "./translate-request.ts";
import { translateChatResponse } from "./translate-response.ts";

const request = (fields: MessageInitShape<typeof GenerateRequestSchema>) =>
  create(GenerateRequestSchema, { operation: Operation.TEXT_TO_IMAGE, prompt: "a sunset", numOutputs: 1, ...fields });

function reasonOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return describeError(error).row.reason;
  }
  return undefined;
}

describe("openrouter /chat/completions request", () => {
  it.each([
    {
      name: "a text+image model gets both modalities and the size as an aspect ratio",
      req: request({ model: "google/gemini-2.5-flash-image", width: 1344, height: 768 }),
      json: {
        model: "google/gemini-2.5-flash-image",
        messages: [{ role: "user", content: "a sunset" }],
        modalities: ["image", "text"],
        image_config: { aspect_ratio: "16:9" },
      },
    },
    {
      name: "an image-only model gets only the image modality",
      req: request({ model: "black-forest-labs/flux.2-pro" }),
      json: {
        model: "black-forest-labs/flux.2-pro",
        messages: [{ role: "user", content: "a sunset" }],
        modalities: ["image"],
      },
    },
    {
      name: "image-to-image sends the input as a data-URL content part",
      req: request({
        model: "google/gemini-2.5-flash-image",
        operation: Operation.IMAGE_TO_IMAGE,
        initImage: { data: Buffer.from("hi"), format: Format.JPEG, width: 8, height: 8 },
      }),
      json: {
        model: "google/gemini-2.5-flash-image",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "a sunset" },
              { type: "image_url", image_url: { url: "data:image/jpeg;base64,aGk=" } },
            ],
          },
        ],
        modalities: ["image", "text"],
      },
    },
  ])("$name", ({ req, json }) => {
    expect(translateOpenRouterRequest(req)).toEqual({ path: "/chat/completions", json });
  });

  it.each([
    { name: "an unknown model", req: request({ model: "openai/gpt-4o" }), reason: ErrorReason.MODEL_NOT_AVAILABLE },
    {
      name: "inpainting",
      req: request({ model: "google/gemini-2.5-flash-image", operation: Operation.INPAINT }),
      reason: ErrorReason.UNSUPPORTED,
    },
    {
      name: "image-to-image without an image",
      req: request({ model: "google/gemini-2.5-flash-image", operation: Operation.IMAGE_TO_IMAGE }),
      reason: ErrorReason.INVALID_REQUEST,
    },
  ])("refuses $name", ({ req, reason }) => {
    expect(reasonOf(() => translateOpenRouterRequest(req))).toBe(reason);
  });
});

describe("openrouter chat completion answer", () => {
  const withMessage = (message: object, finish_reason = "stop") => ({
    id: "gen-1",
    object: "chat.completion",
    choices: [{ index: 0, finish_reason, message: { role: "assistant", ...message } }],
  });

  it("returns every image of the message as a location to fetch", () => {
    const body = withMessage({
      content: "Here you go",
      images: [
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        { type: "image_url", image_url: { url: "https://cdn.example.test/b.png" } },
      ],
    });
    expect(translateChatResponse(body)).toEqual({
      ok: true,
      locations: ["data:image/png;base64,AAAA", "https://cdn.example.test/b.png"],
    });
  });

  it("hands an in-band error on to the error mapper with its status", () => {
    const error = { code: 429, message: "Rate limit exceeded", metadata: { error_type: "rate_limit_exceeded" } };
    expect(translateChatResponse({ error, choices: [] })).toEqual({
      ok: false,
      status: 429,
      text: JSON.stringify({ error }),
    });
  });

  it("treats an in-band error without an HTTP code as a bad gateway", () => {
    expect(translateChatResponse({ error: { code: "server_error", message: "boom" } })).toMatchObject({
      ok: false,
      status: 502,
    });
  });

  it.each([
    {
      name: "a text-only answer (200 without an image)",
      body: withMessage({ content: "I can't draw" }),
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
    },
    {
      name: "an empty images list",
      body: withMessage({ content: null, images: [] }),
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
    },
    { name: "no choices", body: { id: "gen-1", choices: [] }, reason: ErrorReason.UPSTREAM_BAD_RESPONSE },
    { name: "a non-object body", body: [1, 2], reason: ErrorReason.UPSTREAM_BAD_RESPONSE },
    {
      name: "the content filter",
      body: withMessage({ content: "" }, "content_filter"),
      reason: ErrorReason.INVALID_PROMPT,
    },
  ])("refuses $name", ({ body, reason }) => {
    expect(reasonOf(() => translateChatResponse(body))).toBe(reason);
  });
});
