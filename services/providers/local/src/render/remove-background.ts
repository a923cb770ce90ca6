/**
 * Background removal without a model: the background colour is estimated
 * from the image border (per-channel median), then every pixel connected to
 * the border whose colour is within `tolerance` of it becomes transparent.
 * Pixels on the edge of that region get partial alpha for a soft cut.
 * Interior areas of the same colour that do not touch the border are kept.
 */
import type { RawImage } from "./raw-image.ts";

/** Default colour distance (Euclidean, RGB 0..255) within which a pixel counts as background. */
export const DEFAULT_BACKGROUND_TOLERANCE = 48;

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? 0;
}

/** Per-channel median RGB of the outermost ring of pixels (1% of the short side, at least 1 px). */
export function estimateBorderColour(raw: RawImage): [number, number, number] {
  const { width, height, channels, data } = raw;
  const ring = Math.max(1, Math.round(Math.min(width, height) * 0.01));
  const r: number[] = [];
  const g: number[] = [];
  const b: number[] = [];
  for (let y = 0; y < height; y++) {
    const edgeRow = y < ring || y >= height - ring;
    for (let x = 0; x < width; x++) {
      if (!edgeRow && x >= ring && x < width - ring) {
        x = width - ring - 1; // skip the interior of this row
        continue;
      }
      const o = (y * width + x) * channels;
      r.push(data[o] as number);
      g.push(data[o + 1] as number);
      b.push(data[o + 2] as number);
    }
  }
  return [median(r), median(g), median(b)];
}

/**
 * RGBA copy of `raw` with the border-connected background made transparent
 * (see module comment). Existing alpha is preserved and only ever lowered.
 */
export function removeBackgroundRaw(raw: RawImage, tolerance: number = DEFAULT_BACKGROUND_TOLERANCE): RawImage {
  const { width, height, channels, data } = raw;
  const pixels = width * height;
  const [br, bg, bb] = estimateBorderColour(raw);
  const dist = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const o = p * channels;
    const dr = (data[o] as number) - br;
    const dg = (data[o + 1] as number) - bg;
    const db = (data[o + 2] as number) - bb;
    dist[p] = Math.sqrt(dr * dr + dg * dg + db * db);
  }
  // Flood fill (4-connected) from every border pixel that matches the background.
  const isBg = new Uint8Array(pixels);
  const queue = new Int32Array(pixels);
  let head = 0;
  let tail = 0;
  const seed = (p: number): void => {
    if (isBg[p] === 0 && (dist[p] as number) <= tolerance) {
      isBg[p] = 1;
      queue[tail++] = p;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (head < tail) {
    const p = queue[head++] as number;
    const x = p % width;
    if (x > 0) seed(p - 1);
    if (x < width - 1) seed(p + 1);
    if (p >= width) seed(p - width);
    if (p < pixels - width) seed(p + width);
  }
  const out = Buffer.allocUnsafe(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const o = p * channels;
    const x = p % width;
    let a = channels === 4 ? (data[o + 3] as number) : 255;
    if (isBg[p] === 1) a = 0;
    else {
      const touchesBg =
        (x > 0 && isBg[p - 1] === 1) ||
        (x < width - 1 && isBg[p + 1] === 1) ||
        (p >= width && isBg[p - width] === 1) ||
        (p < pixels - width && isBg[p + width] === 1);
      if (touchesBg) a = Math.min(a, Math.round(255 * Math.min(1, ((dist[p] as number) - tolerance) / tolerance)));
    }
    out[p * 4] = data[o] as number;
    out[p * 4 + 1] = data[o + 1] as number;
    out[p * 4 + 2] = data[o + 2] as number;
    out[p * 4 + 3] = a;
  }
  return { data: out, width, height, channels: 4 };
}
