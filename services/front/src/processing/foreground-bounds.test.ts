import { describe, expect, it } from "vitest";
import { foregroundBounds } from "./foreground-bounds.ts";

describe("foregroundBounds", () => {
  it("boxes the pixels with alpha ≥ 128, not a faint fringe around them", () => {
    const width = 8;
    const alpha = Buffer.alloc(width * 6);
    alpha[0] = 127; // a fringe pixel in the corner: not foreground
    for (const [x, y] of [
      [2, 1],
      [5, 4],
      [3, 2],
    ] as const)
      alpha[y * width + x] = 255;
    alpha[4 * width + 6] = 128; // the threshold itself counts
    expect(foregroundBounds(alpha, width, 6)).toEqual({ x: 2, y: 1, width: 5, height: 4 });
  });

  it("is an empty box when nothing is foreground", () => {
    expect(foregroundBounds(Buffer.alloc(16, 100), 4, 4)).toEqual({ x: 0, y: 0, width: 0, height: 0 });
  });
});
