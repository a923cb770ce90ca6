import { ImageFormat } from "@imagegen/proto/imagegen/v1/types_pb";
import type {
  CreateVariationsRequest,
  ImageToImageRequest,
  InpaintRequest,
} from "@imagegen/proto/imagegen/v1/image_service_pb";
import {
  Operation,
  type GenerateRequest,
  type InputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { toProviderFormat } from "./formats.ts";
import { randomSeed } from "./ids.ts";
import { resolveInputImage, type InputImageDeps } from "./input-image.ts";

/** A provider job without its model (each route fills that in). */
export type Job = Omit<GenerateRequest, "model" | "$typeName">;

/** Default share of the prompt over the input image (the API's documented default). */
const DEFAULT_STRENGTH = 0.75;

/**
 * The output size when a request leaves it open: the input's, scaled into 64–2048 and snapped to
 * multiples of 8 (the API's size rules), so any input image is a valid request.
 */
export function sizeFromInput(image: InputImage): { width: number; height: number } {
  const scale = Math.min(1, 2048 / Math.max(image.width, image.height));
  const snap = (v: number) => Math.max(64, Math.min(2048, Math.round((v * scale) / 8) * 8));
  return { width: snap(image.width), height: snap(image.height) };
}

function base(
  prompt: string,
  negativePrompt: string,
  output: ImageToImageRequest["output"],
): Omit<Job, "operation" | "width" | "height" | "numOutputs" | "seed"> {
  return {
    prompt,
    negativePrompt,
    outputFormat: toProviderFormat(output?.format ?? ImageFormat.PNG),
    quality: output?.quality,
    steps: undefined,
    guidance: undefined,
    scheduler: "",
    sampler: "",
    strength: undefined,
    scale: 0,
    generationId: "",
    initImage: undefined,
    mask: undefined,
    foregroundThreshold: undefined,
    edgeSmoothing: false,
  };
}

/** ImageToImage → an IMAGE_TO_IMAGE job with the input image's checked bytes. */
export async function imageToImageJob(req: ImageToImageRequest, deps: InputImageDeps): Promise<Job> {
  const initImage = await resolveInputImage(req.initImage, "init_image", deps);
  const p = req.parameters;
  const size = sizeFromInput(initImage);
  return {
    ...base(req.prompt, req.negativePrompt, req.output),
    operation: Operation.IMAGE_TO_IMAGE,
    width: p?.width ?? size.width,
    height: p?.height ?? size.height,
    numOutputs: p?.numOutputs ?? 1,
    seed: p?.seed ?? randomSeed(),
    steps: p?.numInferenceSteps,
    guidance: p?.guidanceScale,
    scheduler: p?.scheduler ?? "",
    sampler: p?.sampler ?? "",
    strength: req.strength ?? DEFAULT_STRENGTH,
    initImage,
  };
}

/** Inpaint → an INPAINT job; the mask is white = repaint, as the contract says. */
export async function inpaintJob(req: InpaintRequest, deps: InputImageDeps): Promise<Job> {
  const [initImage, mask] = await Promise.all([
    resolveInputImage(req.initImage, "init_image", deps),
    resolveInputImage(req.maskImage, "mask_image", deps),
  ]);
  const p = req.parameters;
  const size = sizeFromInput(initImage);
  return {
    ...base(req.prompt, req.negativePrompt, req.output),
    operation: Operation.INPAINT,
    width: p?.width ?? size.width,
    height: p?.height ?? size.height,
    numOutputs: p?.numOutputs ?? 1,
    seed: p?.seed ?? randomSeed(),
    steps: p?.numInferenceSteps,
    guidance: p?.guidanceScale,
    initImage,
    mask,
  };
}

/** CreateVariations → a VARIATION job at the input's size. */
export async function variationJob(req: CreateVariationsRequest, deps: InputImageDeps): Promise<Job> {
  const initImage = await resolveInputImage(req.image, "image", deps);
  return {
    ...base(req.prompt, "", req.output),
    operation: Operation.VARIATION,
    ...sizeFromInput(initImage),
    numOutputs: req.numOutputs ?? 1,
    seed: req.seed ?? randomSeed(),
    initImage,
  };
}
