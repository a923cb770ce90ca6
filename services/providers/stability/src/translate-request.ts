/**
 * Canonical GenerateRequest → Stability v2beta multipart request. Pure (no I/O). Every field is
 * a text part (numbers as strings); images are file parts. Our canonical mask is already
 * Stability's convention (white = repaint), so it is sent unchanged.
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  Operation,
  type GenerateRequest,
  type InputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { ASPECT_RATIOS, STABILITY_MODELS, type StabilityModel } from "./models.ts";
import type { MultipartPart, StabilityCall } from "./wire-types.ts";
import { FORMAT_NAMES } from "@imagegen/provider-kit";

/** Stability's largest seed (its range is 0–4294967294; 0 asks it for a random one). */
export const MAX_SEED = 4_294_967_294;

/** Stability requires `strength` with an input image; this is its documented middle ground. */
export const DEFAULT_STRENGTH = 0.5;

/** Looks up a declared model or fails with MODEL_NOT_AVAILABLE. */
export function requireStabilityModel(id: string): StabilityModel {
  const model = STABILITY_MODELS.get(id);
  if (!model) throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `the stability provider does not serve model "${id}"`);
  return model;
}

/** The `aspect_ratio` closest to width:height (compared on a log scale, so 2:1 and 1:2 are symmetric). */
export function nearestAspectRatio(width: number, height: number): string {
  const want = Math.log(width / height);
  let best = ASPECT_RATIOS[0]!;
  for (const candidate of ASPECT_RATIOS) {
    if (
      Math.abs(Math.log(candidate.width / candidate.height) - want) <
      Math.abs(Math.log(best.width / best.height) - want)
    ) {
      best = candidate;
    }
  }
  return best.ratio;
}

/** Translates one canonical job to the Stability call that runs it. */
export function translateStabilityRequest(req: GenerateRequest): StabilityCall {
  const model = requireStabilityModel(req.model);
  const parts = new Parts();
  switch (model.endpoint) {
    case "core":
    case "ultra":
    case "sd3":
      generateParts(req, model, parts);
      break;
    case "inpaint":
      requireOperation(req, model, Operation.INPAINT);
      parts.file("image", requireImage(req.initImage, "init_image"));
      parts.file("mask", requireImage(req.mask, "mask"));
      parts.text("prompt", requirePrompt(req));
      parts.text("negative_prompt", req.negativePrompt);
      parts.text("seed", seedOf(req));
      break;
    case "remove-background":
      requireOperation(req, model, Operation.REMOVE_BACKGROUND);
      parts.file("image", requireImage(req.initImage, "init_image"));
      break;
    case "upscale":
      requireOperation(req, model, Operation.UPSCALE);
      parts.file("image", requireImage(req.initImage, "init_image"));
      if (req.model === "upscale-fast") {
        // Fast always multiplies by 4; the other two aim at ≈4 MP whatever the factor.
        if (req.scale !== 0 && req.scale !== 4) throw unsupported(`${req.model} only upscales by 4`, "scale");
      } else {
        parts.text("prompt", requirePrompt(req));
        parts.text("negative_prompt", req.negativePrompt);
        parts.text("seed", seedOf(req));
      }
      break;
  }
  parts.text("output_format", FORMAT_NAMES[req.outputFormat]);
  return { path: model.path, parts: parts.list, async: model.async };
}

function generateParts(req: GenerateRequest, model: StabilityModel, parts: Parts): void {
  parts.text("prompt", requirePrompt(req));
  parts.text("negative_prompt", req.negativePrompt);
  parts.text("seed", seedOf(req));
  if (model.endpoint === "sd3") {
    parts.text("model", req.model);
    parts.text("cfg_scale", req.guidance);
  }
  if (req.operation === Operation.IMAGE_TO_IMAGE && model.endpoint !== "core") {
    // Image-to-image keeps the input's aspect ratio, so none is sent.
    if (model.endpoint === "sd3") parts.text("mode", "image-to-image");
    parts.file("image", requireImage(req.initImage, "init_image"));
    parts.text("strength", req.strength ?? DEFAULT_STRENGTH);
    return;
  }
  requireOperation(req, model, Operation.TEXT_TO_IMAGE);
  if (req.width && req.height) parts.text("aspect_ratio", nearestAspectRatio(req.width, req.height));
}

/** Collects parts, skipping empty values so Stability's defaults apply. */
class Parts {
  readonly list: MultipartPart[] = [];

  text(name: string, value: string | number | undefined): void {
    if (value === undefined || value === "") return;
    this.list.push({ name, value: String(value) });
  }

  file(name: string, image: InputImage): void {
    const format = FORMAT_NAMES[image.format] ?? "png";
    this.list.push({
      name,
      file: {
        data: image.data,
        filename: `${name}.${format === "jpeg" ? "jpg" : format}`,
        contentType: `image/${format}`,
      },
    });
  }
}

// Our seeds span all of uint32; Stability stops one short.
function seedOf(req: GenerateRequest): number | undefined {
  return req.seed === undefined ? undefined : Math.min(req.seed, MAX_SEED);
}

function requireOperation(req: GenerateRequest, model: StabilityModel, operation: Operation): void {
  if (req.operation !== operation)
    throw unsupported(`model ${model.model.id} does not offer this operation`, "operation");
}

function requirePrompt(req: GenerateRequest): string {
  if (!req.prompt.trim()) {
    throw apiError(ErrorReason.INVALID_PROMPT, `model ${req.model} needs a prompt`, {
      fieldViolations: [{ field: "prompt", description: "required" }],
    });
  }
  return req.prompt;
}

function requireImage(image: InputImage | undefined, field: string): InputImage {
  if (!image?.data.length) {
    throw apiError(ErrorReason.INVALID_REQUEST, `${field} is required for this operation`, {
      fieldViolations: [{ field, description: "required" }],
    });
  }
  return image;
}

function unsupported(message: string, field: string) {
  return apiError(ErrorReason.UNSUPPORTED, message, { fieldViolations: [{ field, description: message }] });
}
