/**
 * Turns prompt themes into the concrete colours of a picture: three
 * background gradient stops and five accent colours. Colour words of the
 * prompt dominate; without any, a seeded harmonious scheme is used.
 */
import { clamp, shade, withContrast, wrapHue, type Hsl } from "./colour.ts";
import type { Rng } from "./prng.ts";
import type { Mood, PromptThemes } from "./prompt-themes.ts";

/** The colours of one picture; all already adjusted for mood and contrast. */
export type Palette = { background: [Hsl, Hsl, Hsl]; accents: Hsl[]; mood: Mood };

/** Number of accent colours every palette has. */
export const ACCENT_COUNT = 5;

const SCHEMES: readonly (readonly number[])[] = [
  [0, 30, -30], // analogous
  [0, 180, 20], // complementary
  [0, 120, 240], // triad
  [0, 150, 210], // split complementary
];

function jitter(c: Hsl, rng: Rng, dh: number, ds: number, dl: number): Hsl {
  return {
    h: wrapHue(c.h + rng.range(-dh, dh)),
    s: clamp(c.s + rng.range(-ds, ds), 0, 100),
    l: clamp(c.l + rng.range(-dl, dl), 0, 100),
  };
}

function seededScheme(rng: Rng): Hsl[] {
  const base = rng.range(0, 360);
  const s = rng.range(45, 85);
  const l = rng.range(35, 62);
  return rng
    .pick(SCHEMES)
    .map((offset, i) => ({ h: wrapHue(base + offset), s: clamp(s - i * 5, 0, 100), l: clamp(l + i * 6, 0, 100) }));
}

function applyMood(c: Hsl, mood: Mood): Hsl {
  if (mood === "dark") return { h: c.h, s: c.s, l: 4 + c.l * 0.35 };
  if (mood === "light") return { h: c.h, s: c.s * 0.8, l: 68 + c.l * 0.28 };
  return c;
}

/**
 * Builds the palette: prompt colours (slightly jittered by `rng`, so seeds
 * vary the tint but keep the theme), padded to at least three by seeded
 * neighbours, then mood-adjusted; `contrast` (1 = neutral) spreads lightness
 * and saturation (see withContrast).
 */
export function buildPalette(themes: PromptThemes, rng: Rng, contrast: number): Palette {
  const base = themes.colours.length > 0 ? themes.colours.map((c) => jitter(c, rng, 6, 5, 5)) : seededScheme(rng);
  while (base.length < 3) {
    const from = base[base.length - 1] as Hsl;
    base.push(jitter(shade(from, rng.chance(0.5) ? 14 : -14), rng, 25, 8, 6));
  }
  const mood = themes.mood;
  const bg = [base[0], base[1], base[2]].map((c) => withContrast(applyMood(c as Hsl, mood), contrast));
  const accents: Hsl[] = [];
  for (let i = 0; i < ACCENT_COUNT; i++) {
    const from = base[i % base.length] as Hsl;
    // Accents sit away from the background lightness so shapes stay visible.
    const lift = mood === "dark" ? rng.range(10, 30) : mood === "light" ? rng.range(-35, -10) : rng.range(-22, 22);
    accents.push(withContrast(jitter(shade(from, lift), rng, 12, 6, 4), contrast));
  }
  return { background: bg as [Hsl, Hsl, Hsl], accents, mood };
}
