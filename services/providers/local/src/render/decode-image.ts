/**
 * Safe decoding of untrusted image bytes to raw 8-bit sRGB pixels: header
 * probe first (cheap refusal of bombs), then a full decode that also
 * rejects truncated or corrupt pixel data. EXIF orientation is applied.
 */
import sharp from "sharp";
import { ImageError } from "./errors.ts";
import { DEFAULT_MAX_INPUT_PIXELS, probeImage, type ImageInfo } from "./image-info.ts";
import type { RawImage } from "./raw-image.ts";

/** A decoded image: RGB when the source has no alpha channel, RGBA when it does. */
export type DecodedImage = { raw: RawImage; source: ImageInfo };

/**
 * Decodes `bytes` (png/jpeg/webp/gif; first frame only) to raw pixels.
 * Throws ImageError INVALID_IMAGE (unknown, corrupt or truncated data) or
 * IMAGE_TOO_LARGE (more than `maxPixels` pixels, checked before decoding).
 */
export async function decodeImage(bytes: Buffer, maxPixels: number = DEFAULT_MAX_INPUT_PIXELS): Promise<DecodedImage> {
  const source = await probeImage(bytes, maxPixels);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: "error", autoOrient: true })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 && info.channels !== 4) {
      throw new Error(`unexpected channel count ${info.channels}`);
    }
    return { raw: { data, width: info.width, height: info.height, channels: info.channels }, source };
  } catch (err) {
    const message = (err as Error).message;
    if (/pixel limit/i.test(message)) {
      throw new ImageError("IMAGE_TOO_LARGE", `image exceeds ${maxPixels} pixels`, { cause: err });
    }
    throw new ImageError("INVALID_IMAGE", `could not decode ${source.format} image: ${message}`, { cause: err });
  }
}
