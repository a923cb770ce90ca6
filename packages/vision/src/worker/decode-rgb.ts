import sharp from "sharp";
import { ANALYSIS_MAX_SIDE } from "../thresholds.ts";

/** Decoded pixels, 3 bytes per pixel, row-major. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Thrown for bytes sharp cannot decode; the worker reports it as INVALID_IMAGE. */
export class UndecodableImageError extends Error {}

/** Largest input decoded at all: the front's own input limit is far below this. */
const MAX_INPUT_PIXELS = 8192 * 8192;

/**
 * Decodes any PNG/JPEG/WebP to RGB at most ANALYSIS_MAX_SIDE on its longer side: every model here
 * resizes to 224-512 itself, so a larger copy only costs time and memory. Transparency is laid on
 * mid grey, which none of the models reads as an object or skin.
 */
export async function decodeRgb(bytes: Uint8Array): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: ANALYSIS_MAX_SIDE, height: ANALYSIS_MAX_SIDE, fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#808080" })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (error) {
    throw new UndecodableImageError(`not a decodable image: ${(error as Error).message}`);
  }
}
