/**
 * A minimal SVG document builder: collects <defs> and body elements with
 * unique ids and serialises them with fixed number formatting, so the same
 * drawing calls always produce the same string.
 */

/** An SVG document under construction; sizes are in output pixels. */
export type SvgCanvas = {
  readonly width: number;
  readonly height: number;
  readonly defs: string[];
  readonly body: string[];
  nextId: number;
};

/** An empty canvas of width×height pixels. */
export function newCanvas(width: number, height: number): SvgCanvas {
  return { width, height, defs: [], body: [], nextId: 0 };
}

/** A fresh id ("g0", "g1", ...) unique within the canvas. */
export function newId(canvas: SvgCanvas): string {
  return `g${canvas.nextId++}`;
}

/** Formats a coordinate with at most one decimal ("12", "12.5"), never exponent notation. */
export function num(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Object.is(r, -0) ? "0" : r.toFixed(1).replace(/\.0$/, "");
}

/** Formats an opacity in [0, 1] with three decimals. */
export function alpha(a: number): string {
  return (a <= 0 ? 0 : Math.min(a, 1)).toFixed(3);
}

/**
 * The finished document: exact pixel width/height (so rasterising at the
 * default 72 dpi yields exactly width×height) and no text or font use.
 */
export function toSvgString(canvas: SvgCanvas): string {
  const { width, height } = canvas;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<defs>${canvas.defs.join("")}</defs>${canvas.body.join("")}</svg>`
  );
}
