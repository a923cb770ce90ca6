/**
 * Cheap, header-only inspection of untrusted image bytes: recognises the
 * format by its magic number, reads dimensions via sharp metadata (which
 * parses headers only) and refuses anything unknown, truncated in its
 * header, or declaring more pixels than allowed, before any pixel decoding.
 */
import sharp, { type Metadata } from "sharp";
import { ImageError } from "./errors.ts";

/** Formats accepted as input. */
export type InputFormat = "png" | "jpeg" | "webp" | "gif";

/** What probeImage learns from a header. width/height are as stored (EXIF orientation not applied). */
export type ImageInfo = { format: InputFormat; width: number; height: number };

/** Pixel limit used by the transforms when none is given (4096×4096). */
export const DEFAULT_MAX_INPUT_PIXELS = 4096 * 4096;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
}

const ascii = (s: string): number[] => Array.from(s, (ch) => ch.charCodeAt(0));

/** The format named by the leading magic bytes, or undefined for anything else (SVG, TIFF, text ...). */
export function sniffFormat(bytes: Uint8Array): InputFormat | undefined {
  if (startsWith(bytes, PNG_MAGIC)) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "webp";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "gif";
  return undefined;
}

/**
 * Format and dimensions of `bytes`, reading headers only. Throws ImageError:
 * INVALID_IMAGE for unknown magic, an unreadable/truncated header or a
 * format mismatch; IMAGE_TOO_LARGE when width*height > maxPixels. Truncated
 * pixel data after a valid header is NOT detected here (that needs a
 * decode; decodeImage reports it).
 */
export async function probeImage(bytes: Buffer, maxPixels: number): Promise<ImageInfo> {
  if (!Number.isSafeInteger(maxPixels) || maxPixels < 1) {
    throw new ImageError("INVALID_ARGUMENT", `maxPixels must be a positive integer, got ${String(maxPixels)}`);
  }
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new ImageError("INVALID_IMAGE", "image is empty");
  const format = sniffFormat(bytes);
  if (format === undefined) {
    throw new ImageError("INVALID_IMAGE", "unrecognised image format (expected png, jpeg, webp or gif)");
  }
  let meta: Metadata;
  try {
    // limitInputPixels off: we apply our own limit below with a precise error.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageError("INVALID_IMAGE", `unreadable ${format} header: ${(err as Error).message}`, { cause: err });
  }
  if (meta.format !== format) {
    throw new ImageError("INVALID_IMAGE", `header says ${format} but decoder found ${String(meta.format)}`);
  }
  const { width, height } = meta;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError("INVALID_IMAGE", `invalid ${format} dimensions ${width}x${height}`);
  }
  if (width * height > maxPixels) {
    throw new ImageError(
      "IMAGE_TOO_LARGE",
      `image is ${width}x${height} (${width * height} pixels), limit is ${maxPixels} pixels`,
    );
  }
  return { format, width, height };
}
