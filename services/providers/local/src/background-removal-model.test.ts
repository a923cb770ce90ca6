import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { closeBackgroundRemoval, ISNET_MODEL_ID, removeBackgroundRequest } from "./background-removal-model.ts";

// The caller's foreground_threshold and edge_smoothing reach ISNet's matte through the provider
// request (the front copies them from RemoveBackgroundRequest). Needs `npm run models`.
const PHOTO = join(import.meta.dirname, "../../../../packages/vision/fixtures/astronaut.jpg");
afterAll(() => closeBackgroundRemoval());

async function alphaOf(options: { foregroundThreshold?: number; edgeSmoothing?: boolean }): Promise<Uint8Array> {
  const photo = await sharp(await readFile(PHOTO))
    .resize(160)
    .png()
    .toBuffer();
  const { width, height } = await sharp(photo).metadata();
  const cutout = await removeBackgroundRequest(
    create(GenerateRequestSchema, {
      model: ISNET_MODEL_ID,
      operation: Operation.REMOVE_BACKGROUND,
      outputFormat: Format.PNG,
      width,
      height,
      initImage: { data: photo, format: Format.PNG, width, height },
      ...options,
    }),
  );
  return new Uint8Array(await sharp(cutout.bytes).extractChannel("alpha").raw().toBuffer());
}

/** Pixels with a faint, see-through alpha (1-127): what a threshold of 0.5 removes and smoothing brings back. */
const faint = (alpha: Uint8Array): number => alpha.filter((a) => a > 0 && a < 128).length;

describe("the local ISNet model honours the request's matte options", () => {
  it("foreground_threshold cuts faint matte values; edge_smoothing feathers the cut edge again", async () => {
    const plain = await alphaOf({});
    const thresholded = await alphaOf({ foregroundThreshold: 0.5 });
    const smoothed = await alphaOf({ foregroundThreshold: 0.5, edgeSmoothing: true });
    expect(faint(plain)).toBeGreaterThan(0);
    expect(faint(thresholded)).toBe(0);
    expect(faint(smoothed)).toBeGreaterThan(0);
  }, 180_000);
});
