/**
 * Colour arithmetic for the procedural renderer: HSL values and their
 * conversion to "#rrggbb" strings. Pure functions, integer output.
 */

/** A colour in HSL: hue in degrees [0, 360), saturation and lightness in percent [0, 100]. */
export type Hsl = { h: number; s: number; l: number };

/** Clamps `v` into [min, max]. */
export function clamp(v: number, min: number, max: number): number {
  return v < min ? min : Math.min(v, max);
}

/** Wraps a hue in degrees into [0, 360). */
export function wrapHue(h: number): number {
  const r = h % 360;
  return r < 0 ? r + 360 : r;
}

/** Converts HSL to a lowercase "#rrggbb" string (each channel rounded to an integer). */
export function hslToHex(c: Hsl): string {
  const s = clamp(c.s, 0, 100) / 100;
  const l = clamp(c.l, 0, 100) / 100;
  const h = wrapHue(c.h) / 30;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): string => {
    const k = (n + h) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** Same hue and saturation with lightness shifted by `dl` percentage points (clamped). */
export function shade(c: Hsl, dl: number): Hsl {
  return { h: c.h, s: c.s, l: clamp(c.l + dl, 0, 100) };
}

/**
 * Applies a contrast factor around mid-grey: lightness moves away from 50
 * and saturation scales with `k` (k > 1 = punchier, k < 1 = flatter).
 */
export function withContrast(c: Hsl, k: number): Hsl {
  return {
    h: c.h,
    s: clamp(c.s * (0.4 + 0.6 * k), 0, 100),
    l: clamp(50 + (c.l - 50) * k, 2, 98),
  };
}
