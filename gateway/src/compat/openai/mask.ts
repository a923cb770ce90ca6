import { apiError, ErrorReason } from "@imagegen/errors";
import sharp, { type Metadata } from "sharp";

/**
 * OpenAI masks mark the area to edit as fully transparent; the canonical InpaintRequest marks
 * it white. The conversion (white = 255 − alpha) is a format translation of this surface. The
 * header is checked against `maxPixels` before any pixel is decoded (no decompression bombs).
 */
export async function openAiMaskToWhiteMeansEdit(mask: Buffer, maxPixels: number): Promise<Buffer> {
  const refuse = (message: string) =>
    apiError(ErrorReason.INVALID_IMAGE, message, { fieldViolations: [{ field: "mask", description: message }] });
  // Only the formats the API takes that carry alpha, told by their magic bytes before any decoder
  // runs: sharp would also read GIF, TIFF, SVG, HEIF..., widening what untrusted bytes reach here.
  if (!isPngOrWebp(mask)) throw refuse("mask must be a PNG or WebP image");
  let meta: Metadata;
  try {
    meta = await sharp(mask, { limitInputPixels: false }).metadata();
  } catch {
    throw refuse("mask is not a readable image");
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels === 0) throw refuse("mask is not a readable image");
  if (pixels > maxPixels) throw refuse(`mask is ${meta.width}x${meta.height}, more than ${maxPixels} pixels`);
  if (!meta.hasAlpha) throw refuse("mask has no alpha channel; transparent pixels mark the area to edit");
  try {
    return await sharp(mask, { limitInputPixels: maxPixels })
      .extractChannel("alpha")
      .negate()
      .toColourspace("b-w")
      .png()
      .toBuffer();
  } catch {
    throw refuse("mask could not be decoded");
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function isPngOrWebp(bytes: Buffer): boolean {
  const webp = bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP";
  return webp || bytes.subarray(0, 8).equals(PNG_SIGNATURE);
}
