/**
 * OpenAI marks the region to edit with TRANSPARENCY (alpha 0 = edit); our canonical mask is a
 * greyscale image where WHITE = edit. This converts one to the other, pure compute (no I/O).
 */
import sharp from "sharp";

/** Pixels we accept in a mask before refusing to decode it (the front already capped inputs). */
const MAX_MASK_PIXELS = 64 * 1024 * 1024;

/**
 * Returns a PNG of `width`×`height` whose alpha is 255 − grey(mask): white (edit) becomes fully
 * transparent, black (keep) fully opaque. The mask is stretched to the image size, since OpenAI
 * requires both to have the same dimensions.
 */
export async function whiteMaskToOpenAiMask(mask: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const alpha = await sharp(mask, { limitInputPixels: MAX_MASK_PIXELS, failOn: "error" })
    .flatten({ background: "#000000" })
    .greyscale()
    .resize(width, height, { fit: "fill" })
    .negate()
    .extractChannel(0)
    .raw()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: "#000000" } })
    .joinChannel(alpha, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}
