import { create } from "@bufbuild/protobuf";
import { describeError, ErrorReason } from "@imagegen/errors";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { translateOpenAiRequest } from "./translate-request.ts";
import type { MultipartPart } from "./wire-types.ts";

const solid = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

async function inputImage(width = 64, height = 64) {
  return { data: await solid(width, height, "#3366cc"), format: Format.PNG, width, height };
}

/** White square on the left half (edit), black right half (keep). */
async function leftHalfMask(width = 64, height = 64) {
  const left = await sharp({ create: { width: width / 2, height, channels: 3, background: "#ffffff" } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: "#000000" } })
    .composite([{ input: left, left: 0, top: 0 }])
    .png()
    .toBuffer();
}

const textParts = (parts: readonly MultipartPart[]) =>
  Object.fromEntries(
    parts.filter((p): p is { name: string; value: string } => "value" in p).map((p) => [p.name, p.value]),
  );
const fileNamed = (parts: readonly MultipartPart[], name: string) => parts.find((p) => p.name === name && "file" in p);

describe("openai /images/edits request", () => {
  it("inpaint sends image and a mask whose white region became transparent", async () => {
    const req = create(GenerateRequestSchema, {
      model: "gpt-image-1",
      operation: Operation.INPAINT,
      prompt: "a hat",
      numOutputs: 2,
      initImage: await inputImage(),
      mask: { data: await leftHalfMask(), format: Format.PNG, width: 64, height: 64 },
      outputFormat: Format.JPEG,
    });
    const call = await translateOpenAiRequest(req);
    expect(call.path).toBe("/images/edits");
    if (!("parts" in call)) throw new Error("expected multipart");
    expect(textParts(call.parts)).toEqual({ model: "gpt-image-1", prompt: "a hat", n: "2", output_format: "jpeg" });
    expect(fileNamed(call.parts, "image")).toMatchObject({ file: { contentType: "image/png", filename: "image.png" } });
    const mask = fileNamed(call.parts, "mask");
    if (!mask || !("file" in mask)) throw new Error("no mask part");
    const { data, info } = await sharp(mask.file.data).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 64, height: 64, channels: 4 });
    const alphaAt = (x: number, y: number) => data[(y * 64 + x) * 4 + 3];
    expect([alphaAt(5, 5), alphaAt(60, 5)]).toEqual([0, 255]);
  });

  it("stretches the mask to the image size, as OpenAI requires equal dimensions", async () => {
    const req = create(GenerateRequestSchema, {
      model: "gpt-image-1",
      operation: Operation.INPAINT,
      prompt: "p",
      initImage: await inputImage(128, 96),
      mask: { data: await leftHalfMask(32, 32), format: Format.PNG, width: 32, height: 32 },
    });
    const call = await translateOpenAiRequest(req);
    const mask = "parts" in call ? fileNamed(call.parts, "mask") : undefined;
    if (!mask || !("file" in mask)) throw new Error("no mask part");
    expect(await sharp(mask.file.data).metadata()).toMatchObject({ width: 128, height: 96, hasAlpha: true });
  });

  it("image-to-image on gpt-image sends no mask and no response_format", async () => {
    const req = create(GenerateRequestSchema, {
      model: "gpt-image-1",
      operation: Operation.IMAGE_TO_IMAGE,
      prompt: "in watercolour",
      width: 1024,
      height: 1024,
      initImage: await inputImage(),
    });
    const call = await translateOpenAiRequest(req);
    if (!("parts" in call)) throw new Error("expected multipart");
    expect(textParts(call.parts)).toEqual({ model: "gpt-image-1", prompt: "in watercolour", size: "1024x1024" });
    expect(fileNamed(call.parts, "mask")).toBeUndefined();
  });

  it("dall-e-2 inpaint asks for base64", async () => {
    const req = create(GenerateRequestSchema, {
      model: "dall-e-2",
      operation: Operation.INPAINT,
      prompt: "p",
      initImage: await inputImage(),
      mask: { data: await leftHalfMask(), format: Format.PNG, width: 64, height: 64 },
    });
    const call = await translateOpenAiRequest(req);
    if (!("parts" in call)) throw new Error("expected multipart");
    expect(textParts(call.parts)).toMatchObject({ response_format: "b64_json" });
  });

  it.each([
    {
      name: "inpaint without a mask",
      op: Operation.INPAINT,
      model: "gpt-image-1",
      mask: false,
      image: true,
      reason: ErrorReason.INVALID_REQUEST,
    },
    {
      name: "image-to-image with a mask",
      op: Operation.IMAGE_TO_IMAGE,
      model: "gpt-image-1",
      mask: true,
      image: true,
      reason: ErrorReason.INVALID_REQUEST,
    },
    {
      name: "an edit without an image",
      op: Operation.IMAGE_TO_IMAGE,
      model: "gpt-image-1",
      mask: false,
      image: false,
      reason: ErrorReason.INVALID_REQUEST,
    },
  ])("refuses $name before any upstream call", async ({ op, model, mask, image, reason }) => {
    const req = create(GenerateRequestSchema, {
      model,
      operation: op,
      prompt: "p",
      initImage: image ? await inputImage() : undefined,
      mask: mask ? { data: await leftHalfMask(), format: Format.PNG, width: 64, height: 64 } : undefined,
    });
    const error = await translateOpenAiRequest(req).catch((e: unknown) => e);
    expect(describeError(error).row.reason).toBe(reason);
  });
});
