/**
 * Per-pixel arithmetic on raw images, in integers so results are exact and
 * identical on every platform. Used to blend renders into inputs.
 */
import type { RawImage } from "./raw-image.ts";

/**
 * Paints opaque RGB `top` over `base` (same width/height) with per-pixel
 * weight 0..255: either one number for the whole image or a Uint8Array of
 * width*height weights (a mask). RGB: base*(1-w) + top*w. If `base` has
 * alpha, it rises the same way (the painted pixels are opaque). Returns a
 * new image with base's channel count.
 */
export function paintOver(base: RawImage, top: RawImage, weight: number | Uint8Array): RawImage {
  const { width, height, channels } = base;
  if (top.width !== width || top.height !== height || top.channels !== 3) {
    throw new Error(`paintOver: top must be ${width}x${height} RGB, got ${top.width}x${top.height}x${top.channels}`);
  }
  const pixels = width * height;
  if (typeof weight !== "number" && weight.length !== pixels) throw new Error("paintOver: mask size mismatch");
  const constant = typeof weight === "number" ? Math.max(0, Math.min(255, Math.round(weight))) : 0;
  const out = Buffer.allocUnsafe(pixels * channels);
  const b = base.data;
  const t = top.data;
  for (let p = 0; p < pixels; p++) {
    const w = typeof weight === "number" ? constant : (weight[p] as number);
    const iw = 255 - w;
    const bo = p * channels;
    const to = p * 3;
    for (let ch = 0; ch < 3; ch++) {
      out[bo + ch] = ((b[bo + ch] as number) * iw + (t[to + ch] as number) * w + 127) / 255;
    }
    if (channels === 4) out[bo + 3] = ((b[bo + 3] as number) * iw + 255 * w + 127) / 255;
  }
  return { data: out, width, height, channels };
}
