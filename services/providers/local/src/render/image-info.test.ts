import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { isImageError, type ImageErrorCode } from "./errors.ts";
import { probeImage, sniffFormat } from "./image-info.ts";
import { renderTextToImage } from "./render-text-to-image.ts";
import { jpegDeclaring, pngDeclaring } from "./test-helpers.ts";

const LIMIT = 4096 * 4096;
const code = (expected: ImageErrorCode) => (e: unknown) => isImageError(e, expected);

describe("probeImage", () => {
  it.each(["png", "jpeg", "webp"] as const)("reads %s format and size from the header", async (format) => {
    const bytes = await renderTextToImage({ prompt: "probe", seed: 1, width: 120, height: 80, format });
    await expect(probeImage(bytes, LIMIT)).resolves.toEqual({ format, width: 120, height: 80 });
  });

  it("reads gif", async () => {
    const gif = await sharp({ create: { width: 33, height: 21, channels: 3, background: "#123456" } })
      .gif()
      .toBuffer();
    await expect(probeImage(gif, LIMIT)).resolves.toEqual({ format: "gif", width: 33, height: 21 });
  });

  it("refuses a 30000x30000 PNG header cheaply with IMAGE_TOO_LARGE", async () => {
    const bomb = pngDeclaring(30000, 30000);
    expect(bomb.length).toBeLessThan(200);
    const started = performance.now();
    await expect(probeImage(bomb, LIMIT)).rejects.toSatisfy(code("IMAGE_TOO_LARGE"));
    console.log(`probeImage refused a 30000x30000 PNG header in ${(performance.now() - started).toFixed(1)} ms`);
  });

  it("refuses a JPEG whose frame header declares 60000x60000", async () => {
    const jpeg = await renderTextToImage({ prompt: "x", seed: 1, width: 64, height: 64, format: "jpeg" });
    await expect(probeImage(jpegDeclaring(jpeg, 60000, 60000), LIMIT)).rejects.toSatisfy(code("IMAGE_TOO_LARGE"));
  });

  it("applies the limit exactly (width*height > maxPixels)", async () => {
    const png = pngDeclaring(100, 100);
    await expect(probeImage(png, 10000)).resolves.toEqual({ format: "png", width: 100, height: 100 });
    await expect(probeImage(png, 9999)).rejects.toSatisfy(code("IMAGE_TOO_LARGE"));
  });

  it.each([
    ["empty", Buffer.alloc(0)],
    ["text", Buffer.from("hello, this is not an image")],
    ["svg", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
    ["random bytes", Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 97 + 13) & 255))],
    ["png magic then garbage", Buffer.concat([pngDeclaring(10, 10).subarray(0, 8), Buffer.alloc(64, 0x41)])],
    ["png truncated inside IHDR", pngDeclaring(10, 10).subarray(0, 20)],
    ["png signature only", pngDeclaring(10, 10).subarray(0, 8)],
    ["jpeg SOI only", Buffer.from([0xff, 0xd8, 0xff])],
    ["RIFF but not WEBP", Buffer.from("RIFF\x10\x00\x00\x00WAVEfmt ", "latin1")],
  ])("refuses %s with INVALID_IMAGE", async (_name, bytes) => {
    await expect(probeImage(bytes, LIMIT)).rejects.toSatisfy(code("INVALID_IMAGE"));
  });

  it("refuses a truncated jpeg/webp header", async () => {
    for (const format of ["jpeg", "webp"] as const) {
      const bytes = await renderTextToImage({ prompt: "x", seed: 1, width: 64, height: 64, format });
      await expect(probeImage(bytes.subarray(0, 14), LIMIT)).rejects.toSatisfy(code("INVALID_IMAGE"));
    }
  });

  it("sniffs magic numbers", () => {
    expect(sniffFormat(Buffer.from("GIF89a...", "latin1"))).toBe("gif");
    expect(sniffFormat(Buffer.from("II*\0", "latin1"))).toBeUndefined(); // TIFF is not accepted
  });
});
