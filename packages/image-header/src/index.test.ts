import fc from "fast-check";
import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { readImageHeader } from "./index.ts";

// Real encoder output for every layout the reader handles: PNG (RGB, RGBA, palette, 16-bit),
// baseline and progressive JPEG, lossy WebP ("VP8 "), lossless WebP (VP8L), WebP with alpha (VP8X).
const SIZES: Array<[number, number]> = [
  [1, 1],
  [64, 64],
  [513, 77],
  [2048, 1152],
  [16383, 3],
];
const ENCODINGS: Array<[string, (s: Sharp) => Sharp, boolean]> = [
  ["png", (s) => s.png(), false],
  ["png rgba", (s) => s.png(), true],
  ["png palette", (s) => s.png({ palette: true }), false],
  ["png 16-bit", (s) => s.toColourspace("rgb16").png(), false],
  ["jpeg", (s) => s.jpeg(), false],
  ["jpeg progressive", (s) => s.jpeg({ progressive: true }), false],
  ["webp lossy", (s) => s.webp(), false],
  ["webp lossless", (s) => s.webp({ lossless: true }), false],
  ["webp alpha", (s) => s.webp(), true],
];

async function encode(width: number, height: number, how: (s: Sharp) => Sharp, alpha: boolean): Promise<Buffer> {
  const channels = alpha ? 4 : 3;
  const background = alpha ? { r: 10, g: 120, b: 200, alpha: 0.5 } : { r: 10, g: 120, b: 200 };
  return how(sharp({ create: { width, height, channels, background } })).toBuffer();
}

describe("readImageHeader", () => {
  it.each(ENCODINGS)("reads %s exactly as sharp does, at every size", async (_name, how, alpha) => {
    for (const [width, height] of SIZES) {
      const bytes = await encode(width, height, how, alpha);
      const meta = await sharp(bytes).metadata();
      expect(readImageHeader(bytes)).toEqual({ format: meta.format, width: meta.width, height: meta.height });
      expect([width, height]).toEqual([meta.width, meta.height]);
    }
  });

  it("refuses what is not a PNG, JPEG or WebP, or a header cut short", async () => {
    const png = await encode(64, 64, (s) => s.png(), false);
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from("GIF89a\x01\x00\x01\x00"),
      Buffer.from("<svg/>"),
      png.subarray(0, 23),
    ]) {
      expect(readImageHeader(bytes)).toBeUndefined();
    }
    const zeroWidth = Buffer.from(png);
    zeroWidth.writeUInt32BE(0, 16);
    expect(readImageHeader(zeroWidth)).toBeUndefined();
  });

  it("finds a JPEG's frame behind APP segments and fill bytes, and gives up at the scan", async () => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#fff" } })
      .withMetadata()
      .jpeg()
      .toBuffer();
    const filled = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xff]), jpeg.subarray(2)]);
    expect(readImageHeader(filled)).toEqual({ format: "jpeg", width: 40, height: 30 });
    expect(readImageHeader(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6]))).toBeUndefined();
  });

  it("never throws on random bytes, on any prefix of a real image, or on a real image with bytes flipped", async () => {
    const images = await Promise.all(ENCODINGS.map(([, how, alpha]) => encode(300, 200, how, alpha)));
    for (const image of images) {
      const full = readImageHeader(image);
      for (let n = 0; n <= 64; n++) {
        const prefix = readImageHeader(image.subarray(0, n));
        // The size sits in the first bytes: a prefix either says too little or says the same.
        if (prefix) expect(prefix).toEqual(full);
      }
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => void readImageHeader(bytes)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: images.length - 1 }),
        fc.array(fc.tuple(fc.nat(80), fc.nat(255)), { maxLength: 8 }),
        (which, flips) => {
          const bytes = Buffer.from(images[which] as Buffer);
          for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
          void readImageHeader(bytes);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
