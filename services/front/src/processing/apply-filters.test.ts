import { create } from "@bufbuild/protobuf";
import { FilterSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { applyFilters, ARTISTIC_STYLES } from "./apply-filters.ts";

const MAX_PIXELS = 4096 * 4096;

// A 64×32 image: left half reddish, right half bluish, with deterministic noise for texture.
async function sample(): Promise<Buffer> {
  const data = Buffer.alloc(64 * 32 * 3);
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const pixel = Math.floor(i / 3);
    const left = pixel % 64 < 32;
    const base = [left ? 128 : 160, left ? 32 : 192, left ? 32 : 255][i % 3] as number;
    data[i] = Math.max(0, Math.min(255, base + ((state >>> 24) % 64) - 32));
  }
  return sharp(data, { raw: { width: 64, height: 32, channels: 3 } })
    .png()
    .toBuffer();
}

async function meanRgb(bytes: Buffer): Promise<number[]> {
  const stats = await sharp(bytes).stats();
  return stats.channels.slice(0, 3).map((c) => c.mean);
}

const filter = (init: Parameters<typeof create<typeof FilterSchema>>[1]) => create(FilterSchema, init);

describe("applyFilters", () => {
  it("keeps size and encodes the requested format", async () => {
    for (const format of ["png", "jpg", "webp"] as const) {
      const result = await applyFilters(await sample(), [filter({ type: "grayscale" })], format, MAX_PIXELS);
      const meta = await sharp(result.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([format === "jpg" ? "jpeg" : format, 64, 32]);
      expect(result.applied).toEqual(["grayscale"]);
    }
  });

  it.each([
    ["brightness up brightens", filter({ type: "brightness", value: 1.5 }), (a: number, b: number) => b > a],
    ["brightness down darkens", filter({ type: "brightness", value: 0.5 }), (a: number, b: number) => b < a],
    ["invert flips the mean", filter({ type: "invert" }), (a: number, b: number) => Math.abs(a + b - 255) < 3],
  ])("%s", async (_, f, expectation) => {
    const input = await sample();
    const before = (await meanRgb(input)).reduce((x, y) => x + y) / 3;
    const after =
      (await meanRgb((await applyFilters(input, [f], "png", MAX_PIXELS)).bytes)).reduce((x, y) => x + y) / 3;
    expect(expectation(before, after)).toBe(true);
  });

  it("grayscale makes the channels equal", async () => {
    const [r, g, b] = await meanRgb(
      (await applyFilters(await sample(), [filter({ type: "grayscale" })], "png", MAX_PIXELS)).bytes,
    );
    expect(Math.abs((r as number) - (g as number))).toBeLessThan(1);
    expect(Math.abs((g as number) - (b as number))).toBeLessThan(1);
  });

  it("applies filters in the order given", async () => {
    const input = await sample();
    const a = await applyFilters(
      input,
      [filter({ type: "brightness", value: 2 }), filter({ type: "invert" })],
      "png",
      MAX_PIXELS,
    );
    const b = await applyFilters(
      input,
      [filter({ type: "invert" }), filter({ type: "brightness", value: 2 })],
      "png",
      MAX_PIXELS,
    );
    expect(a.bytes.equals(b.bytes)).toBe(false);
    expect(a.applied).toEqual(["brightness", "invert"]);
  });

  it.each(ARTISTIC_STYLES)("artistic %s changes the image and intensity 0 keeps it", async (style) => {
    const input = await sample();
    const full = await applyFilters(input, [filter({ type: "artistic", style, intensity: 1 })], "png", MAX_PIXELS);
    const none = await applyFilters(input, [filter({ type: "artistic", style, intensity: 0 })], "png", MAX_PIXELS);
    const plain = await applyFilters(input, [], "png", MAX_PIXELS);
    expect(none.bytes.equals(plain.bytes)).toBe(true);
    expect(full.bytes.equals(plain.bytes)).toBe(false);
  });

  it("refuses an unknown artistic style naming the field", async () => {
    await expect(
      applyFilters(await sample(), [filter({ type: "artistic", style: "cubism" })], "png", MAX_PIXELS),
    ).rejects.toThrow(/artistic style/);
  });

  it("refuses undecodable input as INVALID_IMAGE", async () => {
    await expect(applyFilters(Buffer.from("not an image"), [], "png", MAX_PIXELS)).rejects.toThrow(
      /could not be decoded/,
    );
  });
});
