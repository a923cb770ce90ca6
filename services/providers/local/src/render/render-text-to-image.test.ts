import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { isImageError } from "./errors.ts";
import { renderTextToImage, type TextToImageRequest } from "./render-text-to-image.ts";
import { buildSceneSvg } from "./scene-svg.ts";
import { meanAbsDiff, meanRgb } from "./test-helpers.ts";

const base: TextToImageRequest = {
  prompt: "a lighthouse on a cliff",
  seed: 1234,
  width: 256,
  height: 192,
  format: "png",
};

describe("renderTextToImage", () => {
  it.each(["png", "jpeg", "webp"] as const)("is byte-identical on repeat (%s)", async (format) => {
    const a = await renderTextToImage({ ...base, format });
    const b = await renderTextToImage({ ...base, format });
    expect(a.equals(b)).toBe(true);
  });

  it.each([
    ["png", 64, 64],
    ["jpeg", 300, 200],
    ["webp", 200, 333],
    ["png", 1024, 96],
  ] as const)("writes %s at exactly %ix%i", async (format, width, height) => {
    const bytes = await renderTextToImage({ ...base, format, width, height });
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe(format);
    expect([meta.width, meta.height]).toEqual([width, height]);
  });

  it("gives visibly different pictures for different prompts", async () => {
    const red = await renderTextToImage({ ...base, prompt: "red sunset" });
    const blue = await renderTextToImage({ ...base, prompt: "blue ocean" });
    expect(red.equals(blue)).toBe(false);
    const [rr, , rb] = await meanRgb(red);
    const [br, , bb] = await meanRgb(blue);
    expect(rr - rb).toBeGreaterThan(40); // warm
    expect(bb - br).toBeGreaterThan(40); // cool
    expect(await meanAbsDiff(red, blue)).toBeGreaterThan(30);
  });

  it("changes with the seed but keeps the prompt's palette", async () => {
    const a = await renderTextToImage({ ...base, prompt: "red sunset", seed: 1 });
    const b = await renderTextToImage({ ...base, prompt: "red sunset", seed: 2 });
    expect(a.equals(b)).toBe(false);
    expect(await meanAbsDiff(a, b)).toBeGreaterThan(5);
    for (const bytes of [a, b]) {
      const [r, , bl] = await meanRgb(bytes);
      expect(r).toBeGreaterThan(bl);
    }
  });

  it("changes with the negative prompt, and negated words drop their features", async () => {
    const plain = await renderTextToImage({ ...base, prompt: "night sky" });
    const negated = await renderTextToImage({ ...base, prompt: "night sky", negativePrompt: "stars" });
    expect(plain.equals(negated)).toBe(false);
    const svg = (neg: string): string =>
      buildSceneSvg({
        prompt: "night sky",
        negativePrompt: neg,
        seed: 1,
        width: 64,
        height: 64,
        steps: 1,
        guidance: 7.5,
      });
    expect(svg("")).toContain("#fff8e0"); // star colour
    expect(svg("stars")).not.toContain("#fff8e0");
  });

  it("adds detail with steps and contrast with guidance", async () => {
    const few = await renderTextToImage({ ...base, steps: 5 });
    const many = await renderTextToImage({ ...base, steps: 120 });
    expect(few.equals(many)).toBe(false);
    const countElements = (steps: number): number =>
      (
        buildSceneSvg({ prompt: "x", negativePrompt: "", seed: 9, width: 64, height: 64, steps, guidance: 7.5 }).match(
          /<(circle|path|line)/g,
        ) ?? []
      ).length;
    expect(countElements(120)).toBeGreaterThan(countElements(5));

    const spread = async (guidance: number): Promise<number> => {
      const { channels } = await sharp(await renderTextToImage({ ...base, guidance })).stats();
      return channels.slice(0, 3).reduce((s, c) => s + c.stdev, 0);
    };
    expect(await spread(20)).toBeGreaterThan((await spread(1)) * 1.2);
  });

  it("never draws text (font-independent)", () => {
    const svg = buildSceneSvg({
      prompt: "hello world text",
      negativePrompt: "",
      seed: 3,
      width: 128,
      height: 128,
      steps: 50,
      guidance: 7.5,
    });
    expect(svg).not.toMatch(/<text|font/i);
  });

  it.each([
    { seed: -1 },
    { seed: 2 ** 32 },
    { seed: 1.5 },
    { width: 0 },
    { height: 5000 },
    { quality: 0, format: "jpeg" as const },
    { steps: 0 },
    { guidance: Number.NaN },
    { format: "gif" as unknown as "png" },
  ])("refuses invalid argument %o", async (patch) => {
    await expect(renderTextToImage({ ...base, ...patch })).rejects.toSatisfy((e: unknown) =>
      isImageError(e, "INVALID_ARGUMENT"),
    );
  });

  it("renders 2048x2048 png (timing printed, not asserted)", async () => {
    const started = performance.now();
    const bytes = await renderTextToImage({
      ...base,
      prompt: "red sunset over the ocean with stars",
      width: 2048,
      height: 2048,
    });
    const ms = performance.now() - started;
    console.log(`renderTextToImage 2048x2048 png: ${ms.toFixed(0)} ms, ${bytes.length} bytes`);
    const meta = await sharp(bytes).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([2048, 2048, "png"]);
  }, 30_000);
});
