/**
 * Canonical GenerateRequest → OpenRouter request. Pure (no I/O). Chat models get the prompt as
 * the user message, input images as data-URL content parts, and the size as an aspect ratio;
 * `/images` models get OpenAI-like fields and input images as `input_references`.
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  Operation,
  type GenerateRequest,
  type InputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { CHAT_ASPECT_RATIOS, OPENROUTER_MODELS, type OpenRouterModel } from "./models.ts";
import type { ChatContentPart, ChatImageRequest, ImagesRequest, OpenRouterCall } from "./wire-types.ts";
import { FORMAT_NAMES } from "@imagegen/provider-kit";

/** Looks up a declared model or fails with MODEL_NOT_AVAILABLE. */
export function requireOpenRouterModel(id: string): OpenRouterModel {
  const model = OPENROUTER_MODELS.get(id);
  if (!model) throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `the openrouter provider does not serve model "${id}"`);
  return model;
}

/** Translates one canonical job to the OpenRouter call that runs it. */
export function translateOpenRouterRequest(req: GenerateRequest): OpenRouterCall {
  const model = requireOpenRouterModel(req.model);
  if (req.operation !== Operation.TEXT_TO_IMAGE && req.operation !== Operation.IMAGE_TO_IMAGE) {
    throw apiError(ErrorReason.UNSUPPORTED, `model ${req.model} does not offer this operation`);
  }
  const image = req.operation === Operation.IMAGE_TO_IMAGE ? requireImage(req.initImage) : undefined;
  if (model.api.kind === "chat") return { path: "/chat/completions", json: chatBody(req, model.api.modalities, image) };
  return { path: "/images", json: imagesBody(req, model, image) };
}

function chatBody(
  req: GenerateRequest,
  modalities: ("image" | "text")[],
  image: InputImage | undefined,
): ChatImageRequest {
  const content: string | ChatContentPart[] = image
    ? [
        { type: "text", text: req.prompt },
        { type: "image_url", image_url: { url: dataUrl(image) } },
      ]
    : req.prompt;
  const body: ChatImageRequest = {
    model: req.model,
    messages: [{ role: "user", content }],
    modalities: [...modalities],
  };
  const ratio = req.width && req.height ? aspectRatioOf(req.width, req.height) : undefined;
  if (ratio) body.image_config = { aspect_ratio: ratio };
  return body;
}

function imagesBody(req: GenerateRequest, model: OpenRouterModel, image: InputImage | undefined): ImagesRequest {
  const body: ImagesRequest = { model: req.model, prompt: req.prompt };
  if (req.numOutputs > 1) body.n = req.numOutputs;
  if (req.width && req.height) body.size = `${req.width}x${req.height}`;
  const format = FORMAT_NAMES[req.outputFormat];
  if (format) body.output_format = format;
  if (format && format !== "png" && req.quality !== undefined) body.output_compression = Math.min(100, req.quality);
  // The front always picks a seed; only models that take one get it.
  if (req.seed !== undefined && model.model.limits.seed) body.seed = req.seed;
  if (image) body.input_references = [{ type: "image_url", image_url: { url: dataUrl(image) } }];
  return body;
}

/** The declared aspect ratio whose 1K size is exactly width×height (the kit already checked it is one). */
function aspectRatioOf(width: number, height: number): string | undefined {
  return CHAT_ASPECT_RATIOS.find((r) => r.width === width && r.height === height)?.ratio;
}

function dataUrl(image: InputImage): string {
  return `data:image/${FORMAT_NAMES[image.format] ?? "png"};base64,${Buffer.from(image.data).toString("base64")}`;
}

function requireImage(image: InputImage | undefined): InputImage {
  if (!image?.data.length) {
    throw apiError(ErrorReason.INVALID_REQUEST, "init_image is required for image-to-image", {
      fieldViolations: [{ field: "init_image", description: "required" }],
    });
  }
  return image;
}
