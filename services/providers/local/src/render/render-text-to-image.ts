/**
 * Text-to-image for the offline provider: a deterministic procedural
 * picture derived from (prompt, negativePrompt, seed), rasterised from SVG
 * with sharp. No network, no model weights, no fonts.
 */
import sharp, { type Sharp } from "sharp";
import { encodePipeline, requireOutputFormat, type OutputFormat } from "./encode-image.ts";
import { ImageError, requireInt, requireNumber } from "./errors.ts";
import { pipelineToRaw, type RawImage } from "./raw-image.ts";
import { buildSceneSvg, type SceneParams } from "./scene-svg.ts";

/** A text-to-image request. seed is a uint32; quality applies to jpeg/webp only. */
export type TextToImageRequest = {
  prompt: string;
  negativePrompt?: string | undefined;
  seed: number;
  width: number;
  height: number;
  format: OutputFormat;
  quality?: number | undefined;
  steps?: number | undefined;
  guidance?: number | undefined;
};

/** The scene-defining part of a request (everything except encoding). */
export type SceneRequest = Omit<TextToImageRequest, "format" | "quality">;

/** Smallest and largest accepted side in pixels. */
export const RENDER_MIN_SIDE = 1;
export const RENDER_MAX_SIDE = 4096;
/** Defaults and accepted ranges for steps (detail) and guidance (contrast). */
export const DEFAULT_STEPS = 30;
export const MAX_STEPS = 500;
export const DEFAULT_GUIDANCE = 7.5;
export const MAX_GUIDANCE = 50;

/**
 * Validates and defaults a scene request; throws ImageError INVALID_ARGUMENT
 * naming the first bad field.
 */
export function normalizeSceneRequest(req: SceneRequest): SceneParams {
  if (typeof req.prompt !== "string") throw new ImageError("INVALID_ARGUMENT", "prompt must be a string");
  if (req.negativePrompt !== undefined && typeof req.negativePrompt !== "string") {
    throw new ImageError("INVALID_ARGUMENT", "negativePrompt must be a string");
  }
  return {
    prompt: req.prompt,
    negativePrompt: req.negativePrompt ?? "",
    seed: requireInt("seed", req.seed, 0, 0xffffffff),
    width: requireInt("width", req.width, RENDER_MIN_SIDE, RENDER_MAX_SIDE),
    height: requireInt("height", req.height, RENDER_MIN_SIDE, RENDER_MAX_SIDE),
    steps: req.steps === undefined ? DEFAULT_STEPS : requireInt("steps", req.steps, 1, MAX_STEPS),
    guidance: req.guidance === undefined ? DEFAULT_GUIDANCE : requireNumber("guidance", req.guidance, 0, MAX_GUIDANCE),
  };
}

function scenePipeline(params: SceneParams): Sharp {
  const svg = Buffer.from(buildSceneSvg(params), "utf8");
  // The SVG is ours (no external refs, no text); its declared size is exactly width×height.
  return sharp(svg, { density: 72 }).removeAlpha();
}

/**
 * Renders the request to encoded bytes of exactly width×height in `format`.
 * Identical requests give byte-identical output; a different prompt,
 * negative prompt or seed gives a different picture. More steps add detail
 * layers on top of the same composition; higher guidance raises contrast.
 */
export async function renderTextToImage(req: TextToImageRequest): Promise<Buffer> {
  const format = requireOutputFormat(req.format);
  const params = normalizeSceneRequest(req);
  return encodePipeline(scenePipeline(params), format, req.quality);
}

/** The same picture as renderTextToImage, as raw RGB pixels (for compositing). */
export function renderSceneRaw(req: SceneRequest): Promise<RawImage> {
  return pipelineToRaw(scenePipeline(normalizeSceneRequest(req)), false);
}
