/**
 * Decoded pixels in memory (8-bit, interleaved, row-major) and the bridge
 * back into a sharp pipeline. The common currency of the transforms.
 */
import sharp, { type Sharp } from "sharp";

/** Interleaved 8-bit pixels: 3 channels = RGB, 4 = RGBA. data.length === width*height*channels. */
export type RawImage = { data: Buffer; width: number; height: number; channels: 3 | 4 };

/** A sharp pipeline reading `raw` (no copy of the pixel buffer). */
export function rawToSharp(raw: RawImage): Sharp {
  return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
}

/** Decodes whatever `pipeline` produces into RGB (no alpha) or RGBA (alpha) raw pixels. */
export async function pipelineToRaw(pipeline: Sharp, withAlpha: boolean): Promise<RawImage> {
  const p = withAlpha ? pipeline.ensureAlpha() : pipeline.removeAlpha();
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  const expected = withAlpha ? 4 : 3;
  if (info.channels !== expected) throw new Error(`expected ${expected} channels, got ${info.channels}`);
  return { data, width: info.width, height: info.height, channels: expected };
}
