import { describeError } from "@imagegen/errors";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMattingPool, ISNET_INSTALL_HINT, isnetModelInstalled, type MattingPool } from "../index.ts";
import { busyScene, SCENE_HEIGHT, SCENE_WIDTH, SUBJECT_BOX } from "./busy-scene.ts";

// ISNet through its worker on a photograph pasted on a busy background. The weights come from
// `npm run models` (never downloaded by a test): without them this suite fails and says so.
let pool: MattingPool;
beforeAll(() => {
  if (!isnetModelInstalled()) throw new Error(ISNET_INSTALL_HINT);
  pool = createMattingPool();
});
afterAll(() => pool?.close());

/** Pixels the foreground box may reach past the pasted photo (see the test). */
const SLACK = 20;

/** Bounding box of alpha ≥ 128 (the front's foreground_bounds rule). */
function bounds(alpha: Uint8Array, width: number, height: number) {
  let [minX, minY, maxX, maxY] = [width, height, -1, -1];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if ((alpha[y * width + x] as number) < 128) continue;
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

describe("ISNet background removal", () => {
  it("makes a busy background transparent and keeps the pasted subject", async () => {
    const cutout = await pool.removeBackground(await busyScene(), { format: "png" });
    expect([cutout.width, cutout.height]).toEqual([SCENE_WIDTH, SCENE_HEIGHT]);
    const { data, info } = await sharp(cutout.bytes)
      .extractChannel("alpha")
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([SCENE_WIDTH, SCENE_HEIGHT]);
    // The encoded alpha is the matte the worker reported.
    expect(Buffer.compare(data, Buffer.from(cutout.matte))).toBe(0);
    let background = 0;
    let transparent = 0;
    for (let y = 0; y < SCENE_HEIGHT; y++)
      for (let x = 0; x < SCENE_WIDTH; x++) {
        const inside =
          x >= SUBJECT_BOX.x &&
          x < SUBJECT_BOX.x + SUBJECT_BOX.width &&
          y >= SUBJECT_BOX.y &&
          y < SUBJECT_BOX.y + SUBJECT_BOX.height;
        if (inside) continue;
        background++;
        if ((data[y * SCENE_WIDTH + x] as number) < 128) transparent++;
      }
    expect(transparent / background).toBeGreaterThan(0.95);
    // The foreground lies within the pasted photo and fills most of it. Slack: the network continues
    // the cat's ear, cut by the photo's top edge, about 15 px into the mosaic above it.
    const box = bounds(data, SCENE_WIDTH, SCENE_HEIGHT);
    expect(box.x).toBeGreaterThanOrEqual(SUBJECT_BOX.x - SLACK);
    expect(box.y).toBeGreaterThanOrEqual(SUBJECT_BOX.y - SLACK);
    expect(box.x + box.width).toBeLessThanOrEqual(SUBJECT_BOX.x + SUBJECT_BOX.width + SLACK);
    expect(box.y + box.height).toBeLessThanOrEqual(SUBJECT_BOX.y + SUBJECT_BOX.height + SLACK);
    expect(box.width * box.height).toBeGreaterThan(0.5 * SUBJECT_BOX.width * SUBJECT_BOX.height);
  }, 120_000);

  it("answers bytes that are no image with INVALID_IMAGE", async () => {
    const error = await pool.removeBackground(new TextEncoder().encode("not an image"), { format: "png" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeError(error).row.name).toBe("INVALID_IMAGE");
  });
});
