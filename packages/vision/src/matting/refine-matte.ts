import sharp from "sharp";
import type { Matte } from "./isnet-matte.ts";

/** How the caller wants the matte shaped before it becomes the alpha channel. */
export interface MatteOptions {
  /** 0-1: matte values below it become fully transparent (hard cut of faint background haze). */
  readonly foregroundThreshold?: number;
  /** Softens the cut edge with a small Gaussian blur of the matte (sigma EDGE_SMOOTHING_SIGMA px). */
  readonly edgeSmoothing?: boolean;
}

/** Blur radius of `edgeSmoothing`: about one pixel of feathering on each side of the edge. */
export const EDGE_SMOOTHING_SIGMA = 1.5;

/** Threshold first (so haze does not bleed into the blur), then smoothing. */
export async function refineMatte(matte: Matte, options: MatteOptions): Promise<Matte> {
  let data = matte.data;
  const threshold = options.foregroundThreshold;
  if (threshold !== undefined && threshold > 0) {
    const cut = Math.round(threshold * 255);
    data = data.map((v) => (v < cut ? 0 : v));
  }
  if (options.edgeSmoothing) {
    const blurred = await sharp(data, { raw: { width: matte.width, height: matte.height, channels: 1 } })
      .blur(EDGE_SMOOTHING_SIGMA)
      .extractChannel(0)
      .raw()
      .toBuffer();
    data = new Uint8Array(blurred.buffer, blurred.byteOffset, blurred.length);
  }
  return { ...matte, data };
}
