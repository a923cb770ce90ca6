import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { isImageError, type ImageErrorCode } from "./errors.ts";
import { openAiMaskToWhiteMeansEdit } from "./mask.ts";
import { renderTextToImage } from "./render-text-to-image.ts";
import { circleOnBackground, meanAbsDiff, pngDeclaring, rgba } from "./test-helpers.ts";
import { imageToImage, inpaint, removeBackground, upscale, variation } from "./transform-image.ts";

const code = (expected: ImageErrorCode) => (e: unknown) => isImageError(e, expected);
const W = 160;
const H = 120;
let input: Buffer; // png W×H

async function expectShape(bytes: Buffer, format: string, width: number, height: number): Promise<void> {
  const meta = await sharp(bytes).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual([format, width, height]);
}

beforeAll(async () => {
  input = await renderTextToImage({ prompt: "green forest", seed: 5, width: W, height: H, format: "png" });
});

describe("imageToImage", () => {
  it("keeps the input size by default and is deterministic", async () => {
    const req = { image: input, prompt: "red sunset", seed: 1, strength: 0.5, format: "png" as const };
    const a = await imageToImage(req);
    expect([a.width, a.height, a.format]).toEqual([W, H, "png"]);
    await expectShape(a.bytes, "png", W, H);
    expect(a.bytes.equals((await imageToImage(req)).bytes)).toBe(true);
  });

  it("moves from the input (strength 0) to the render (strength 1)", async () => {
    const render = await renderTextToImage({ prompt: "red sunset", seed: 1, width: W, height: H, format: "png" });
    const at = async (strength: number) =>
      (await imageToImage({ image: input, prompt: "red sunset", seed: 1, strength, format: "png" })).bytes;
    const [s0, s5, s1] = await Promise.all([at(0), at(0.5), at(1)]);
    expect(await meanAbsDiff(s0, input)).toBeLessThan(1);
    expect(await meanAbsDiff(s1, render)).toBeLessThan(1);
    const mid = await meanAbsDiff(s5, input);
    expect(mid).toBeGreaterThan(5);
    expect(mid).toBeLessThan(await meanAbsDiff(s1, input));
  });

  it.each(["jpeg", "webp"] as const)("resizes to a requested size (%s)", async (format) => {
    const jpegIn = await renderTextToImage({ prompt: "input", seed: 2, width: 300, height: 100, format: "jpeg" });
    const out = await imageToImage({
      image: jpegIn,
      prompt: "blue",
      seed: 2,
      strength: 0.3,
      width: 128,
      height: 128,
      format,
      quality: 70,
    });
    expect([out.width, out.height]).toEqual([128, 128]);
    await expectShape(out.bytes, format, 128, 128);
  });
});

describe("inpaint", () => {
  it("changes only where the mask is white", async () => {
    // Mask at half resolution: white square in the middle, black elsewhere; resized to the image.
    const mask = await sharp({ create: { width: W / 2, height: H / 2, channels: 3, background: "#000" } })
      .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: "#fff" } }, left: 30, top: 20 }])
      .png()
      .toBuffer();
    const out = await inpaint({ image: input, mask, prompt: "blue ocean", seed: 3, format: "png" });
    await expectShape(out.bytes, "png", W, H);
    const [before, after] = await Promise.all([rgba(input), rgba(out.bytes)]);
    const px = (img: { data: Buffer }, x: number, y: number) =>
      Array.from(img.data.subarray((y * W + x) * 4, (y * W + x) * 4 + 3));
    expect(px(after, 5, 5)).toEqual(px(before, 5, 5)); // outside: untouched
    expect(px(after, W - 3, H - 3)).toEqual(px(before, W - 3, H - 3));
    let changed = 0;
    for (let y = 44; y < 76; y++)
      for (let x = 64; x < 96; x++) if (px(after, x, y).join() !== px(before, x, y).join()) changed++;
    expect(changed).toBeGreaterThan(32 * 32 * 0.9); // inside: replaced
  });

  it("converts OpenAI masks (transparent = edit) to white = edit", async () => {
    const pixels = Buffer.alloc(8 * 8 * 4);
    for (let p = 0; p < 64; p++) pixels[p * 4 + 3] = p % 8 < 4 && p < 32 ? 0 : 255; // top-left 4×4 transparent
    const openAi = await sharp(pixels, { raw: { width: 8, height: 8, channels: 4 } })
      .png()
      .toBuffer();
    const white = await openAiMaskToWhiteMeansEdit(openAi);
    expect((await sharp(white).metadata()).channels).toBe(1);
    const { data } = await sharp(white).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(255); // transparent → edit
    expect(data[3 * 8 + 3]).toBe(255);
    expect(data[4]).toBe(0); // opaque → keep
    expect(data[8 * 8 - 1]).toBe(0);
    const opaque = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    await expect(openAiMaskToWhiteMeansEdit(opaque)).rejects.toSatisfy(code("INVALID_IMAGE"));
  });
});

describe("variation", () => {
  it("is same-size, deterministic, related but different, and seed-dependent", async () => {
    const a = await variation({ image: input, seed: 10, format: "webp" });
    expect([a.width, a.height, a.format]).toEqual([W, H, "webp"]);
    await expectShape(a.bytes, "webp", W, H);
    expect(a.bytes.equals((await variation({ image: input, seed: 10, format: "webp" })).bytes)).toBe(true);
    const png = (await variation({ image: input, seed: 10, format: "png" })).bytes;
    const diff = await meanAbsDiff(png, input);
    expect(diff).toBeGreaterThan(2);
    expect(diff).toBeLessThan(80);
    const other = (await variation({ image: input, seed: 11, format: "png" })).bytes;
    expect(other.equals(png)).toBe(false);
  });
});

describe("upscale", () => {
  it.each([
    [2, "png"],
    [4, "jpeg"],
  ] as const)("resamples exactly %i× (%s)", async (scale, format) => {
    const out = await upscale({ image: input, scale, format });
    expect([out.width, out.height]).toEqual([W * scale, H * scale]);
    await expectShape(out.bytes, format, W * scale, H * scale);
  });

  it("refuses bad scales and oversized outputs", async () => {
    await expect(upscale({ image: input, scale: 3 as 2, format: "png" })).rejects.toSatisfy(code("INVALID_ARGUMENT"));
    await expect(upscale({ image: input, scale: 4, format: "png", maxOutputPixels: W * H * 4 })).rejects.toSatisfy(
      code("IMAGE_TOO_LARGE"),
    );
  });
});

describe("removeBackground", () => {
  it.each(["png", "webp"] as const)("makes the border-coloured background transparent (%s)", async (format) => {
    const picture = await circleOnBackground(100, 80, "#f0f0f0", "#c02020");
    const out = await removeBackground({ image: picture, format });
    await expectShape(out.bytes, format, 100, 80);
    const meta = await sharp(out.bytes).metadata();
    expect(meta.hasAlpha).toBe(true);
    const { data } = await rgba(out.bytes);
    const alphaAt = (x: number, y: number) => data[(y * 100 + x) * 4 + 3];
    expect(alphaAt(0, 0)).toBe(0);
    expect(alphaAt(99, 79)).toBe(0);
    expect(alphaAt(50, 40)).toBe(255);
  });

  it("refuses jpeg output with a clear message", async () => {
    await expect(removeBackground({ image: input, format: "jpeg" })).rejects.toThrow(/png or webp/);
    await expect(removeBackground({ image: input, format: "jpeg" })).rejects.toSatisfy(code("INVALID_ARGUMENT"));
  });
});

describe("input validation", () => {
  it("refuses garbage, truncated and oversized inputs", async () => {
    await expect(variation({ image: Buffer.from("nope"), seed: 1, format: "png" })).rejects.toSatisfy(
      code("INVALID_IMAGE"),
    );
    const truncated = input.subarray(0, Math.floor(input.length / 2)); // header fine, pixel data cut
    await expect(upscale({ image: truncated, scale: 2, format: "png" })).rejects.toSatisfy(code("INVALID_IMAGE"));
    await expect(upscale({ image: pngDeclaring(30000, 30000), scale: 2, format: "png" })).rejects.toSatisfy(
      code("IMAGE_TOO_LARGE"),
    );
    await expect(removeBackground({ image: input, format: "png", maxPixels: W * H - 1 })).rejects.toSatisfy(
      code("IMAGE_TOO_LARGE"),
    );
  });
});
