import { createVisionPool, type VisionPool } from "@imagegen/vision";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { countSourceFaces } from "./count-source-faces.ts";
import { detectSourceObjects } from "./detect-source-objects.ts";

// A source image's analyses (upscale's faces, seed 004's detected objects) are descriptions: a
// caller who gave up gets none, and leaves the models' queue at once instead of holding a place.
const photo = () =>
  sharp({ create: { width: 32, height: 32, channels: 3, background: "#886644" } })
    .png()
    .toBuffer();

describe("source image analyses for a caller who gave up", () => {
  it.each([
    [
      "faces on an upscale's input",
      (pool: VisionPool, image: Uint8Array, signal: AbortSignal) => countSourceFaces(pool, image, signal),
      undefined,
    ],
    [
      "objects on a source image",
      (pool: VisionPool, image: Uint8Array, signal: AbortSignal) => detectSourceObjects(pool, image, signal),
      [],
    ],
  ] as const)("%s: absent at once, nothing queued", async (_name, analyse, absent) => {
    const pool = createVisionPool();
    const image = await photo();
    try {
      const gone = new AbortController();
      gone.abort();
      await expect(analyse(pool, image, gone.signal)).resolves.toEqual(absent);
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
