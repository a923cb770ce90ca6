/**
 * Composes the procedural picture for a prompt as an SVG string: gradient
 * sky/background, soft colour blobs, wavy bands, optional sun/moon, stars,
 * horizon with water/mountains/dunes, seeded detail layers (more with more
 * steps) and a vignette. Layout is in fractions of the canvas, so one
 * (prompt, seed) gives the same composition at every size.
 */
import { clamp, hslToHex, shade, type Hsl } from "./colour.ts";
import { buildPalette, type Palette } from "./palette.ts";
import { createRng, digestOf, type Rng } from "./prng.ts";
import { readPromptThemes, type PromptThemes } from "./prompt-themes.ts";
import { newCanvas, toSvgString, type SvgCanvas } from "./svg-canvas.ts";
import * as draw from "./svg-shapes.ts";

/** Everything that determines a scene. steps and guidance are already defaulted. */
export type SceneParams = {
  prompt: string;
  negativePrompt: string;
  seed: number;
  width: number;
  height: number;
  steps: number;
  guidance: number;
};

/** Version tag mixed into the hash: bump it when the art changes on purpose. */
export const SCENE_VERSION = "local-scene/v1";

/** Contrast factor for a guidance scale: 1 at 7.5, +6% per unit, clamped to [0.5, 1.8]. */
export function contrastFor(guidance: number): number {
  return clamp(1 + (guidance - 7.5) * 0.06, 0.5, 1.8);
}

/** Number of extra detail layers for a step count: one per 10 steps, at most 15. */
export function detailLayersFor(steps: number): number {
  return clamp(Math.round(steps / 10), 0, 15);
}

type Ctx = { c: SvgCanvas; rng: Rng; pal: Palette; themes: PromptThemes; w: number; h: number; m: number };

const hex = hslToHex;
const accent = (x: Ctx): Hsl => x.rng.pick(x.pal.accents);
const wave = (x: Ctx, baseY: number, amp: number, n: number): number[] =>
  Array.from({ length: n }, () => baseY + x.rng.range(-amp, amp));

function drawCelestial(x: Ctx, horizonY: number | undefined): void {
  const { rng, w, h, m } = x;
  if (x.themes.features.has("sun")) {
    const r = m * rng.range(0.07, 0.12);
    const cx = w * rng.range(0.25, 0.75);
    const cy = horizonY !== undefined ? horizonY - r * rng.range(0.2, 0.9) : h * rng.range(0.18, 0.4);
    draw.softBlob(x.c, cx, cy, r * 4.5, hex({ h: 38, s: 95, l: 62 }), 0.55);
    draw.disc(x.c, cx, cy, r, hex({ h: 48, s: 100, l: 78 }), 0.95);
  }
  if (x.themes.features.has("moon")) {
    const r = m * rng.range(0.04, 0.07);
    const cx = w * rng.range(0.15, 0.85);
    const cy = h * rng.range(0.1, 0.3);
    draw.softBlob(x.c, cx, cy, r * 3.5, "#dfe6ff", 0.3);
    draw.disc(x.c, cx, cy, r, "#f4f1e4", 0.95);
  }
}

function drawStars(x: Ctx, maxY: number): void {
  const { rng, w } = x;
  const count = clamp(Math.round(Math.sqrt(w * maxY) / 3), 30, 600);
  const scale = Math.max(0.6, x.m / 1024);
  const dim: [number, number, number][] = [];
  const bright: [number, number, number][] = [];
  for (let i = 0; i < count; i++) {
    const star: [number, number, number] = [rng.range(0, w), rng.range(0, maxY), rng.range(0.5, 1.7) * scale];
    (rng.chance(0.25) ? bright : dim).push(star);
  }
  draw.dots(x.c, dim, "#ffffff", 0.55);
  draw.dots(x.c, bright, "#fff8e0", 0.95);
}

function drawLand(x: Ctx, horizonY: number): void {
  const { rng, h, pal, themes } = x;
  const f = themes.features;
  if (f.has("mountains")) {
    const far = shade(pal.background[1], pal.mood === "dark" ? 6 : -12);
    draw.jaggedGround(x.c, wave(x, horizonY - h * 0.16, h * 0.1, rng.int(10, 18)), hex(far), 0.75);
    draw.jaggedGround(x.c, wave(x, horizonY - h * 0.05, h * 0.07, rng.int(8, 14)), hex(shade(far, -14)), 0.9);
  }
  if (f.has("water")) {
    const top = pal.accents.find((a) => a.h >= 170 && a.h <= 250) ?? accent(x);
    draw.gradientFloor(x.c, horizonY, hex(shade(top, 8)), hex(shade(top, -22)), 0.95);
    for (let i = 0; i < 6 + x.rng.int(0, 6); i++) {
      const y = horizonY + (h - horizonY) * rng.range(0.05, 0.95);
      const cx = x.w * rng.range(0, 1);
      const len = x.w * rng.range(0.05, 0.25);
      draw.line(x.c, cx - len, y, cx + len, y, Math.max(1, x.m * 0.004), "#ffffff", 0.18);
    }
  } else if (f.has("dunes")) {
    const sand = pal.accents[0] ?? accent(x);
    draw.smoothGround(x.c, wave(x, horizonY, h * 0.04, rng.int(4, 6)), hex(shade(sand, -4)), 0.95);
    draw.smoothGround(x.c, wave(x, horizonY + h * 0.12, h * 0.05, rng.int(3, 5)), hex(shade(sand, -16)), 0.95);
  } else {
    const ground = shade(accent(x), pal.mood === "light" ? -10 : -25);
    draw.smoothGround(x.c, wave(x, horizonY, h * 0.03, rng.int(4, 7)), hex(ground), 0.95);
  }
}

function drawDetailLayer(x: Ctx, rng: Rng): void {
  const { w, h, m } = x;
  const colour = hex(rng.pick(x.pal.accents));
  const motif = rng.int(0, 3);
  const cx = w * rng.range(0, 1);
  const cy = h * rng.range(0, 1);
  if (motif === 0) {
    const pts = Array.from({ length: rng.int(8, 20) }, (): [number, number, number] => [
      cx + m * rng.range(-0.12, 0.12),
      cy + m * rng.range(-0.12, 0.12),
      m * rng.range(0.004, 0.014),
    ]);
    draw.dots(x.c, pts, colour, 0.7);
  } else if (motif === 1) {
    draw.ring(x.c, cx, cy, m * rng.range(0.03, 0.12), Math.max(1, m * rng.range(0.002, 0.008)), colour, 0.6);
  } else if (motif === 2) {
    const angle = rng.range(0, Math.PI);
    for (let i = 0; i < rng.int(3, 6); i++) {
      const len = m * rng.range(0.05, 0.15);
      const ox = m * 0.02 * i;
      draw.line(
        x.c,
        cx + ox,
        cy,
        cx + ox + Math.cos(angle) * len,
        cy + Math.sin(angle) * len,
        Math.max(1, m * 0.004),
        colour,
        0.5,
      );
    }
  } else {
    draw.softBlob(x.c, cx, cy, m * rng.range(0.05, 0.15), colour, 0.6);
  }
}

/** The SVG document for `p`; a pure function of its fields (same params → same string). */
export function buildSceneSvg(p: SceneParams): string {
  const digest = digestOf([SCENE_VERSION, p.prompt, p.negativePrompt, p.seed]);
  const themes = readPromptThemes(p.prompt, p.negativePrompt);
  const k = contrastFor(p.guidance);
  const pal = buildPalette(themes, createRng(digest, "palette"), k);
  const x: Ctx = {
    c: newCanvas(p.width, p.height),
    rng: createRng(digest, "layout"),
    pal,
    themes,
    w: p.width,
    h: p.height,
    m: Math.min(p.width, p.height),
  };
  const { rng, w, h, m } = x;
  const f = themes.features;
  const hasLand = f.has("horizon") || f.has("water") || f.has("mountains") || f.has("dunes");
  const horizonY = hasLand ? h * rng.range(0.55, 0.7) : undefined;

  draw.gradientBackground(x.c, pal.background.map(hex), hasLand ? 90 : rng.range(0, 360));
  const strength = clamp(0.6 + 0.3 * k, 0.5, 1);
  for (let i = rng.int(3, 5); i > 0; i--) {
    draw.softBlob(
      x.c,
      w * rng.range(0, 1),
      h * rng.range(0, hasLand ? 0.6 : 1),
      m * rng.range(0.25, 0.6),
      hex(accent(x)),
      rng.range(0.35, 0.7) * strength,
    );
  }
  if (f.has("stars")) drawStars(x, horizonY ?? h);
  for (let i = rng.int(2, 4); i > 0; i--) {
    const y = h * rng.range(0.1, hasLand ? 0.55 : 0.9);
    draw.band(
      x.c,
      wave(x, y, h * 0.06, rng.int(4, 7)),
      m * rng.range(0.03, 0.12),
      hex(accent(x)),
      rng.range(0.12, 0.3) * strength,
    );
  }
  drawCelestial(x, horizonY);
  if (horizonY !== undefined) drawLand(x, horizonY);
  else {
    for (let i = rng.int(2, 4); i > 0; i--) {
      const r = m * rng.range(0.05, 0.22);
      if (rng.chance(0.5))
        draw.disc(x.c, w * rng.range(0, 1), h * rng.range(0, 1), r, hex(accent(x)), rng.range(0.3, 0.6) * strength);
      else
        draw.ring(
          x.c,
          w * rng.range(0, 1),
          h * rng.range(0, 1),
          r,
          m * rng.range(0.006, 0.02),
          hex(accent(x)),
          0.55 * strength,
        );
    }
  }
  const detailRng = createRng(digest, "detail");
  for (let i = detailLayersFor(p.steps); i > 0; i--) drawDetailLayer(x, detailRng);
  draw.vignette(x.c, clamp(0.22 * k, 0.1, 0.45));
  return toSvgString(x.c);
}
