/**
 * Image-to-image operations of the offline provider, done honestly with
 * local pixel processing: blend with a procedural render (imageToImage),
 * masked composite (inpaint), seeded colour/crop/flip jitter (variation),
 * lanczos3 resampling (upscale) and border-colour keying (removeBackground).
 * Inputs are untrusted bytes (png/jpeg/webp/gif), probed before decoding and
 * limited to `maxPixels` (default 4096×4096). Outputs are deterministic.
 */
import { decodeImage } from "./decode-image.ts";
import { encodePipeline, encodeRaw, requireOutputFormat, type OutputFormat } from "./encode-image.ts";
import { ImageError, requireInt, requireNumber } from "./errors.ts";
import { DEFAULT_MAX_INPUT_PIXELS } from "./image-info.ts";
import { loadMaskWeights } from "./mask.ts";
import { paintOver } from "./pixel-ops.ts";
import { createRng, digestOf } from "./prng.ts";
import { pipelineToRaw, rawToSharp, type RawImage } from "./raw-image.ts";
import { DEFAULT_BACKGROUND_TOLERANCE, removeBackgroundRaw } from "./remove-background.ts";
import { RENDER_MAX_SIDE, renderSceneRaw } from "./render-text-to-image.ts";

/** The result of every transform: encoded bytes plus their true size and format. */
export type TransformResult = { bytes: Buffer; width: number; height: number; format: OutputFormat };

/** Options shared by all transforms. maxPixels bounds the decoded input (default 4096×4096). */
export type TransformCommon = {
  image: Buffer;
  format: OutputFormat;
  quality?: number | undefined;
  maxPixels?: number | undefined;
};

/** Prompt-side options for operations that render a scene (same meaning as in renderTextToImage). */
export type PromptPart = {
  prompt: string;
  negativePrompt?: string | undefined;
  seed: number;
  steps?: number | undefined;
  guidance?: number | undefined;
};

/** Request of imageToImage; strength in [0, 1]. */
export type ImageToImageRequest = TransformCommon &
  PromptPart & { strength: number; width?: number | undefined; height?: number | undefined };
/** Request of inpaint; mask is white = edit. */
export type InpaintRequest = TransformCommon & PromptPart & { mask: Buffer };
/** Request of variation; seed is a uint32. */
export type VariationRequest = TransformCommon & { seed: number };
/** Request of upscale. */
export type UpscaleRequest = TransformCommon & { scale: 2 | 4; maxOutputPixels?: number | undefined };
/** Request of removeBackground; tolerance is an RGB distance (default 48). */
export type RemoveBackgroundRequest = TransformCommon & { tolerance?: number | undefined };

/** Largest output upscale will produce unless told otherwise (8192×8192). */
export const DEFAULT_MAX_OUTPUT_PIXELS = 8192 * 8192;

async function finish(raw: RawImage, format: OutputFormat, quality?: number): Promise<TransformResult> {
  const bytes = await encodeRaw(raw, format, quality);
  return { bytes, width: raw.width, height: raw.height, format };
}

/**
 * Blends the input (resized to cover width×height, centre-cropped; default
 * the input's size, or the input's aspect when only one side is given) with
 * a render of the prompt at `strength` opacity: 0 = the input, 1 = the render.
 */
export async function imageToImage(req: ImageToImageRequest): Promise<TransformResult> {
  const format = requireOutputFormat(req.format);
  const strength = requireNumber("strength", req.strength, 0, 1);
  const { raw: input } = await decodeImage(req.image, req.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS);
  const width =
    req.width ?? (req.height === undefined ? input.width : Math.round((req.height * input.width) / input.height));
  const height = req.height ?? Math.round((width * input.height) / input.width);
  requireInt("width", width, 1, RENDER_MAX_SIDE);
  requireInt("height", height, 1, RENDER_MAX_SIDE);
  const cover = rawToSharp(input).resize(width, height, { fit: "cover", position: "centre", kernel: "lanczos3" });
  const resized = await pipelineToRaw(cover, input.channels === 4);
  const render = await renderSceneRaw({ ...promptPart(req), width, height });
  return finish(paintOver(resized, render, strength * 255), format, req.quality);
}

/**
 * Replaces the region where `mask` is white (greyscale weight, resized to the
 * image) with a render of the prompt; black keeps the input, grey blends.
 * The mask uses white = edit: convert OpenAI masks with openAiMaskToWhiteMeansEdit.
 */
export async function inpaint(req: InpaintRequest): Promise<TransformResult> {
  const format = requireOutputFormat(req.format);
  const maxPixels = req.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const { raw: input } = await decodeImage(req.image, maxPixels);
  const weights = await loadMaskWeights(req.mask, input.width, input.height, maxPixels);
  const render = await renderSceneRaw({ ...promptPart(req), width: input.width, height: input.height });
  return finish(paintOver(input, render, weights), format, req.quality);
}

/**
 * A visibly related but different image of the same size: seeded hue
 * rotation (12–40°, either way), brightness ×0.9–1.1, saturation ×0.85–1.2,
 * a 3–8% crop at a seeded offset scaled back up, and a 50% chance of a
 * horizontal flip. Same (image, seed) → same bytes.
 */
export async function variation(req: VariationRequest): Promise<TransformResult> {
  const format = requireOutputFormat(req.format);
  const seed = requireInt("seed", req.seed, 0, 0xffffffff);
  const { raw: input } = await decodeImage(req.image, req.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS);
  const rng = createRng(digestOf(["local-variation/v1", seed]));
  const { width, height } = input;
  const hue = Math.round(rng.range(12, 40)) * (rng.chance(0.5) ? 1 : -1);
  const brightness = rng.range(0.9, 1.1);
  const saturation = rng.range(0.85, 1.2);
  const crop = rng.range(0.03, 0.08);
  const cw = Math.max(1, Math.round(width * (1 - crop)));
  const ch = Math.max(1, Math.round(height * (1 - crop)));
  const left = rng.int(0, width - cw);
  const top = rng.int(0, height - ch);
  const pipeline = rawToSharp(input)
    .extract({ left, top, width: cw, height: ch })
    .resize(width, height, { fit: "fill", kernel: "lanczos3" })
    .flop(rng.chance(0.5))
    .modulate({ hue, brightness, saturation });
  const bytes = await encodePipeline(pipeline, format, req.quality);
  return { bytes, width, height, format };
}

/**
 * Resamples to exactly scale× the input size with a lanczos3 kernel.
 * Throws IMAGE_TOO_LARGE if the output would exceed maxOutputPixels
 * (default 8192×8192), before doing any work on pixels.
 */
export async function upscale(req: UpscaleRequest): Promise<TransformResult> {
  const format = requireOutputFormat(req.format);
  if (req.scale !== 2 && req.scale !== 4)
    throw new ImageError("INVALID_ARGUMENT", `scale must be 2 or 4, got ${String(req.scale)}`);
  const maxOut = req.maxOutputPixels ?? DEFAULT_MAX_OUTPUT_PIXELS;
  const { raw: input } = await decodeImage(req.image, req.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS);
  const width = input.width * req.scale;
  const height = input.height * req.scale;
  if (width * height > maxOut) {
    throw new ImageError("IMAGE_TOO_LARGE", `upscaled size ${width}x${height} exceeds ${maxOut} pixels`);
  }
  const pipeline = rawToSharp(input).resize(width, height, { fit: "fill", kernel: "lanczos3" });
  const bytes = await encodePipeline(pipeline, format, req.quality);
  return { bytes, width, height, format };
}

/**
 * Makes the border-connected background transparent (see
 * remove-background.ts). Output is png or webp with alpha; jpeg cannot hold
 * transparency and is refused with ImageError INVALID_ARGUMENT.
 */
export async function removeBackground(req: RemoveBackgroundRequest): Promise<TransformResult> {
  const format = requireOutputFormat(req.format);
  if (format === "jpeg") {
    throw new ImageError(
      "INVALID_ARGUMENT",
      "removeBackground needs an output format with transparency (png or webp); jpeg has no alpha channel",
    );
  }
  const tolerance = requireNumber("tolerance", req.tolerance ?? DEFAULT_BACKGROUND_TOLERANCE, 0, 442);
  const { raw: input } = await decodeImage(req.image, req.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS);
  return finish(removeBackgroundRaw(input, tolerance), format, req.quality);
}

function promptPart(req: PromptPart): PromptPart {
  const { prompt, negativePrompt, seed, steps, guidance } = req;
  return { prompt, negativePrompt, seed, steps, guidance };
}
