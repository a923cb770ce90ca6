/**
 * Final encoding step shared by every operation: one place decides the
 * encoder settings, so outputs are consistent and deterministic (no
 * metadata, no timestamps, fixed effort levels).
 */
import type { Sharp } from "sharp";
import { ImageError, requireInt } from "./errors.ts";
import { rawToSharp, type RawImage } from "./raw-image.ts";

/** Formats the engine can write. */
export type OutputFormat = "png" | "jpeg" | "webp";

/** The accepted output formats, in a stable order. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["png", "jpeg", "webp"];

/** jpeg/webp quality used when none is given. */
export const DEFAULT_QUALITY = 90;

/** zlib level for PNG output (6 = good size/speed balance). */
export const PNG_COMPRESSION_LEVEL = 6;

/** True for "png", "jpeg" and "webp". */
export function isOutputFormat(value: unknown): value is OutputFormat {
  return value === "png" || value === "jpeg" || value === "webp";
}

/** Returns `format` if it is an OutputFormat, else throws INVALID_ARGUMENT. */
export function requireOutputFormat(format: unknown): OutputFormat {
  if (!isOutputFormat(format)) {
    throw new ImageError(
      "INVALID_ARGUMENT",
      `format must be one of ${OUTPUT_FORMATS.join(", ")}, got ${String(format)}`,
    );
  }
  return format;
}

/**
 * Encodes the pipeline's output. PNG: zlib level 6. JPEG/WebP: `quality`
 * (integer 1..100, default 90). JPEG has no alpha, so any transparency is
 * flattened onto white. Metadata is never written.
 */
export async function encodePipeline(pipeline: Sharp, format: OutputFormat, quality?: number): Promise<Buffer> {
  const q = quality === undefined ? DEFAULT_QUALITY : requireInt("quality", quality, 1, 100);
  switch (requireOutputFormat(format)) {
    case "png":
      return pipeline.png({ compressionLevel: PNG_COMPRESSION_LEVEL }).toBuffer();
    case "jpeg":
      return pipeline.flatten({ background: "#ffffff" }).jpeg({ quality: q }).toBuffer();
    case "webp":
      return pipeline.webp({ quality: q }).toBuffer();
  }
}

/** Encodes raw pixels (RGB or RGBA) as `format`; see encodePipeline. */
export function encodeRaw(raw: RawImage, format: OutputFormat, quality?: number): Promise<Buffer> {
  return encodePipeline(rawToSharp(raw), format, quality);
}
