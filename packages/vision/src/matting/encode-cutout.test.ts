import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { encodeCutout } from "./encode-cutout.ts";

// 2×1 white pixels; the matte keeps the left one and drops the right one.
const rgb = Uint8Array.from([255, 255, 255, 255, 255, 255]);
const matte = Uint8Array.from([255, 0]);

describe("encodeCutout", () => {
  it("mode remove: the matte becomes the alpha channel (PNG and WebP)", async () => {
    for (const format of ["png", "webp"] as const) {
      const out = await encodeCutout(rgb, matte, 2, 1, { format });
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([2, 1, 4]);
      expect([data[3], data[7]]).toEqual([255, 0]);
    }
  });

  it("mode replace: the dropped pixel takes the background colour, the kept one its own", async () => {
    const out = await encodeCutout(rgb, matte, 2, 1, { format: "png", replaceWithColor: "#ff0000" });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect([...data]).toEqual([255, 255, 255, 255, 0, 0]);
  });
});
