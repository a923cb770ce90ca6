import sharp from "sharp";

/**
 * The most common colours of an image as #RRGGBB: pixels of a 64×64 thumbnail grouped into
 * 4-bit-per-channel buckets, each reported as its bucket's average. Measured, not guessed.
 */
export async function dominantColors(image: Uint8Array, count = 3): Promise<string[]> {
  const { data } = await sharp(image)
    .resize(64, 64, { fit: "fill" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const buckets = new Map<number, { n: number; r: number; g: number; b: number }>();
  for (let i = 0; i < data.length; i += 3) {
    const [r, g, b] = [data[i] as number, data[i + 1] as number, data[i + 2] as number];
    const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    const bucket = buckets.get(key) ?? { n: 0, r: 0, g: 0, b: 0 };
    bucket.n++;
    bucket.r += r;
    bucket.g += g;
    bucket.b += b;
    buckets.set(key, bucket);
  }
  const hex = (v: number): string => Math.round(v).toString(16).padStart(2, "0").toUpperCase();
  return [...buckets.values()]
    .sort((a, b) => b.n - a.n)
    .slice(0, count)
    .map((c) => `#${hex(c.r / c.n)}${hex(c.g / c.n)}${hex(c.b / c.n)}`);
}

/**
 * What an inpainting mask covers, at the output's size: the share of white (edited) pixels in
 * percent and the bounding box of that area.
 */
export async function maskCoverage(
  mask: Uint8Array,
  width: number,
  height: number,
): Promise<{ percentage: number; region?: { x: number; y: number; width: number; height: number } }> {
  const { data } = await sharp(mask)
    .resize(width, height, { fit: "fill" })
    .grayscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let white = 0;
  let [minX, minY, maxX, maxY] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((data[y * width + x] as number) < 128) continue;
      white++;
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  const percentage = Math.round((white / (width * height)) * 1000) / 10;
  return maxX < 0
    ? { percentage }
    : { percentage, region: { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 } };
}
