/**
 * Inpainting masks. The engine's convention is greyscale "white = edit,
 * black = keep"; OpenAI-style masks ("fully transparent = edit") are
 * converted to it with openAiMaskToWhiteMeansEdit.
 */
import sharp from "sharp";
import { ImageError } from "./errors.ts";
import { DEFAULT_MAX_INPUT_PIXELS, probeImage } from "./image-info.ts";

async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ImageError) throw err;
    throw new ImageError("INVALID_IMAGE", `could not decode ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Converts an OpenAI-style mask (alpha 0 = edit, alpha 255 = keep) to a
 * greyscale PNG of the same size where white = edit (value = 255 − alpha).
 * Throws ImageError INVALID_IMAGE if the mask has no alpha channel (it could
 * not mark anything for editing), IMAGE_TOO_LARGE above `maxPixels`.
 */
export async function openAiMaskToWhiteMeansEdit(
  mask: Buffer,
  maxPixels: number = DEFAULT_MAX_INPUT_PIXELS,
): Promise<Buffer> {
  await probeImage(mask, maxPixels);
  return guard("mask", async () => {
    const input = sharp(mask, { limitInputPixels: maxPixels, failOn: "error", autoOrient: true });
    const { hasAlpha } = await input.clone().metadata();
    if (!hasAlpha) {
      throw new ImageError(
        "INVALID_IMAGE",
        "mask has no alpha channel; OpenAI-style masks mark edit areas as transparent",
      );
    }
    return input.extractChannel("alpha").negate().toColourspace("b-w").png({ compressionLevel: 6 }).toBuffer();
  });
}

/**
 * Reads a white-means-edit mask as one weight per pixel (0 = keep, 255 =
 * edit), resized to exactly width×height. The mask is read as greyscale;
 * transparent mask pixels count as black (keep).
 */
export async function loadMaskWeights(
  mask: Buffer,
  width: number,
  height: number,
  maxPixels: number = DEFAULT_MAX_INPUT_PIXELS,
): Promise<Uint8Array> {
  await probeImage(mask, maxPixels);
  return guard("mask", async () => {
    const { data, info } = await sharp(mask, { limitInputPixels: maxPixels, failOn: "error", autoOrient: true })
      .flatten({ background: "#000000" })
      .greyscale()
      .resize(width, height, { fit: "fill" })
      .extractChannel(0)
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || data.length !== width * height) {
      throw new Error(`mask decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  });
}
