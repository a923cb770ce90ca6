import { create } from "@bufbuild/protobuf";
import { describeError } from "@imagegen/errors";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { renderImageOperation } from "./image-operations.ts";

let input: Buffer;
let mask: Buffer;

beforeAll(async () => {
  input = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#204060" } })
    .png()
    .toBuffer();
  // White (repaint) on the left half, black (keep) on the right.
  const grey = Buffer.alloc(64 * 48);
  for (let i = 0; i < grey.length; i++) grey[i] = i % 64 < 32 ? 255 : 0;
  mask = await sharp(grey, { raw: { width: 64, height: 48, channels: 1 } })
    .png()
    .toBuffer();
});

const request = (operation: Operation, extra: Record<string, unknown> = {}) =>
  create(GenerateRequestSchema, {
    model: "local-procedural",
    operation,
    prompt: "a green meadow",
    outputFormat: Format.PNG,
    initImage: { data: input, format: Format.PNG, width: 64, height: 48 },
    ...extra,
  });

describe("local image operations", () => {
  it.each([
    [
      "image-to-image at a requested size",
      () => request(Operation.IMAGE_TO_IMAGE, { width: 128, height: 96 }),
      [128, 96],
    ],
    [
      "inpaint at the input's size",
      () => request(Operation.INPAINT, { mask: { data: mask, format: Format.PNG, width: 64, height: 48 } }),
      [64, 48],
    ],
    ["variation at the input's size", () => request(Operation.VARIATION), [64, 48]],
    ["a 2× upscale", () => request(Operation.UPSCALE, { scale: 2 }), [128, 96]],
    ["a 4× upscale", () => request(Operation.UPSCALE, { scale: 4 }), [256, 192]],
    ["background removal at the input's size", () => request(Operation.REMOVE_BACKGROUND), [64, 48]],
  ])("renders %s", async (_name, req, size) => {
    const out = await renderImageOperation(req(), 7);
    const meta = await sharp(out.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", ...size]);
  });

  it("keeps the black part of an inpainting mask exactly", async () => {
    const out = await renderImageOperation(
      request(Operation.INPAINT, { mask: { data: mask, format: Format.PNG, width: 64, height: 48 } }),
      7,
    );
    const { data, info } = await sharp(out.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (48 / 2) * 64 + 60;
    expect([...data.subarray(at * info.channels, at * info.channels + 3)]).toEqual([0x20, 0x40, 0x60]);
  });

  it("is deterministic per seed and differs across seeds", async () => {
    const a = await renderImageOperation(request(Operation.VARIATION), 1);
    const b = await renderImageOperation(request(Operation.VARIATION), 1);
    const c = await renderImageOperation(request(Operation.VARIATION), 2);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.bytes.equals(c.bytes)).toBe(false);
  });

  it.each([
    ["no input image", () => request(Operation.VARIATION, { initImage: undefined }), "INVALID_IMAGE"],
    ["inpaint without a mask", () => request(Operation.INPAINT), "INVALID_IMAGE"],
    [
      "undecodable input",
      () => request(Operation.VARIATION, { initImage: { data: Buffer.from("nope"), format: Format.PNG } }),
      "INVALID_IMAGE",
    ],
    ["an upscale factor other than 2 or 4", () => request(Operation.UPSCALE, { scale: 3 }), "INVALID_REQUEST"],
    ["an operation it does not do from an image", () => request(Operation.TEXT_TO_IMAGE), "UNSUPPORTED"],
  ])("refuses %s", async (_name, req, reason) => {
    const error = await renderImageOperation(req(), 1).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe(reason);
  });
});
