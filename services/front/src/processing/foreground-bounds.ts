/** Alpha from which a pixel counts as foreground for `foreground_bounds`: half opaque or more. */
const FOREGROUND_ALPHA = 128;

/** Bounding box of the foreground pixels (alpha ≥ FOREGROUND_ALPHA): a faint fringe does not widen it. */
export function foregroundBounds(
  alpha: Buffer,
  width: number,
  height: number,
): { x: number; y: number; width: number; height: number } {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((alpha[y * width + x] as number) < FOREGROUND_ALPHA) continue;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return maxX < 0
    ? { x: 0, y: 0, width: 0, height: 0 }
    : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}
