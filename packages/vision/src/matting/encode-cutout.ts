import sharp from "sharp";
import type { RemoveBackgroundOptions } from "./remove-background.ts";

/**
 * The RGB pixels with the matte as their alpha, encoded; with `replaceWithColor` (mode "replace")
 * laid on that colour instead, so the result is opaque and the matte decides the blend.
 */
export async function encodeCutout(
  rgb: Uint8Array,
  matte: Uint8Array,
  width: number,
  height: number,
  options: Pick<RemoveBackgroundOptions, "format" | "quality" | "replaceWithColor">,
): Promise<Buffer> {
  let image = sharp(rgb, { raw: { width, height, channels: 3 } }).joinChannel(Buffer.from(matte), {
    raw: { width, height, channels: 1 },
  });
  if (options.replaceWithColor) {
    // Flatten needs the alpha joined first: one lossless round trip through raw RGBA.
    const rgba = await image.raw().toBuffer();
    image = sharp(rgba, { raw: { width, height, channels: 4 } }).flatten({ background: options.replaceWithColor });
  }
  return options.format === "webp"
    ? image.webp({ quality: options.quality ?? 90, alphaQuality: 100 }).toBuffer()
    : image.png().toBuffer();
}
