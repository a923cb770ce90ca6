/**
 * Drawing primitives for the procedural renderer. Each function appends one
 * element (plus any gradient it needs) to an SvgCanvas. Geometry is given in
 * pixels; colours as "#rrggbb"; no randomness here (callers pass values).
 */
import { alpha, newId, num, type SvgCanvas } from "./svg-canvas.ts";

/** Fills the canvas with a linear gradient through `stops` at `angleDeg` (0 = left→right, 90 = top→bottom). */
export function gradientBackground(c: SvgCanvas, stops: readonly string[], angleDeg: number): void {
  const id = newId(c);
  const rad = (angleDeg * Math.PI) / 180;
  const dx = Math.cos(rad) / 2;
  const dy = Math.sin(rad) / 2;
  const stopTags = stops
    .map((s, i) => `<stop offset="${alpha(i / Math.max(1, stops.length - 1))}" stop-color="${s}"/>`)
    .join("");
  c.defs.push(
    `<linearGradient id="${id}" x1="${alpha(0.5 - dx)}" y1="${alpha(0.5 - dy)}" x2="${alpha(0.5 + dx)}" y2="${alpha(0.5 + dy)}">${stopTags}</linearGradient>`,
  );
  c.body.push(`<rect width="${c.width}" height="${c.height}" fill="url(#${id})"/>`);
}

/** A soft round glow: `colour` at `opacity` in the centre fading to transparent at radius r. */
export function softBlob(c: SvgCanvas, cx: number, cy: number, r: number, colour: string, opacity: number): void {
  const id = newId(c);
  c.defs.push(
    `<radialGradient id="${id}"><stop offset="0" stop-color="${colour}" stop-opacity="${alpha(opacity)}"/>` +
      `<stop offset="0.55" stop-color="${colour}" stop-opacity="${alpha(opacity * 0.45)}"/>` +
      `<stop offset="1" stop-color="${colour}" stop-opacity="0"/></radialGradient>`,
  );
  c.body.push(`<circle cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}" fill="url(#${id})"/>`);
}

/** A solid disc (sun, moon, bubble). */
export function disc(c: SvgCanvas, cx: number, cy: number, r: number, colour: string, opacity: number): void {
  c.body.push(
    `<circle cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}" fill="${colour}" fill-opacity="${alpha(opacity)}"/>`,
  );
}

/** An unfilled circle outline. */
export function ring(
  c: SvgCanvas,
  cx: number,
  cy: number,
  r: number,
  stroke: number,
  colour: string,
  opacity: number,
): void {
  c.body.push(
    `<circle cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}" fill="none" stroke="${colour}" stroke-width="${num(stroke)}" stroke-opacity="${alpha(opacity)}"/>`,
  );
}

/** A straight stroke from (x1, y1) to (x2, y2) with round caps. */
export function line(
  c: SvgCanvas,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  stroke: number,
  colour: string,
  opacity: number,
): void {
  c.body.push(
    `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${colour}" stroke-width="${num(stroke)}" stroke-linecap="round" stroke-opacity="${alpha(opacity)}"/>`,
  );
}

/** A smooth curve through `ys` sampled evenly across the full width (points as [x, y]), as SVG path commands. */
function smoothRidge(width: number, ys: readonly number[]): string {
  const step = width / Math.max(1, ys.length - 1);
  let d = `M0 ${num(ys[0] ?? 0)}`;
  for (let i = 1; i < ys.length; i++) {
    const x0 = (i - 1) * step;
    const x1 = i * step;
    const mid = (x0 + x1) / 2;
    d += ` C${num(mid)} ${num(ys[i - 1] ?? 0)} ${num(mid)} ${num(ys[i] ?? 0)} ${num(x1)} ${num(ys[i] ?? 0)}`;
  }
  return d;
}

/** A wavy horizontal band: a ribbon whose centre follows the smooth curve through `ys`, `thickness` pixels tall. */
export function band(c: SvgCanvas, ys: readonly number[], thickness: number, colour: string, opacity: number): void {
  c.body.push(
    `<path d="${smoothRidge(c.width, ys)}" fill="none" stroke="${colour}" stroke-width="${num(thickness)}" stroke-opacity="${alpha(opacity)}"/>`,
  );
}

/** Fills everything below the smooth curve through `ys` (hills, dunes, land). */
export function smoothGround(c: SvgCanvas, ys: readonly number[], colour: string, opacity: number): void {
  const d = `${smoothRidge(c.width, ys)} L${c.width} ${c.height} L0 ${c.height} Z`;
  c.body.push(`<path d="${d}" fill="${colour}" fill-opacity="${alpha(opacity)}"/>`);
}

/** Fills everything below the jagged polyline through `ys` (mountain ranges). */
export function jaggedGround(c: SvgCanvas, ys: readonly number[], colour: string, opacity: number): void {
  const step = c.width / Math.max(1, ys.length - 1);
  const pts = ys.map((y, i) => `${num(i * step)},${num(y)}`).join(" ");
  c.body.push(
    `<polygon points="${pts} ${c.width},${c.height} 0,${c.height}" fill="${colour}" fill-opacity="${alpha(opacity)}"/>`,
  );
}

/** A rectangle from y to the bottom filled with a vertical gradient top→bottom (water, ground). */
export function gradientFloor(c: SvgCanvas, y: number, top: string, bottom: string, opacity: number): void {
  const id = newId(c);
  c.defs.push(
    `<linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient>`,
  );
  c.body.push(
    `<rect x="0" y="${num(y)}" width="${c.width}" height="${num(c.height - y)}" fill="url(#${id})" fill-opacity="${alpha(opacity)}"/>`,
  );
}

/** Many small dots in one path element (cheap even for hundreds): each [x, y, r]. */
export function dots(
  c: SvgCanvas,
  points: readonly (readonly [number, number, number])[],
  colour: string,
  opacity: number,
): void {
  if (points.length === 0) return;
  const d = points
    .map(
      ([x, y, r]) =>
        `M${num(x - r)} ${num(y)}a${num(r)} ${num(r)} 0 1 0 ${num(2 * r)} 0a${num(r)} ${num(r)} 0 1 0 ${num(-2 * r)} 0`,
    )
    .join("");
  c.body.push(`<path d="${d}" fill="${colour}" fill-opacity="${alpha(opacity)}"/>`);
}

/** Darkens the corners: transparent centre fading to black at `strength` opacity. */
export function vignette(c: SvgCanvas, strength: number): void {
  const id = newId(c);
  c.defs.push(
    `<radialGradient id="${id}" cx="0.5" cy="0.5" r="0.75"><stop offset="0.45" stop-color="#000" stop-opacity="0"/>` +
      `<stop offset="1" stop-color="#000" stop-opacity="${alpha(strength)}"/></radialGradient>`,
  );
  c.body.push(`<rect width="${c.width}" height="${c.height}" fill="url(#${id})"/>`);
}
