/**
 * Canonical GenerateRequest → OpenAI Images request. Pure (no I/O): which endpoint, which
 * fields, and the per-family rules (DALL·E takes `response_format`, GPT image takes
 * `output_format`/`output_compression`; only dall-e-2 has variations).
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  Format,
  Operation,
  type GenerateRequest,
  type InputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { whiteMaskToOpenAiMask } from "./mask.ts";
import { OPENAI_MODELS, type OpenAiModel } from "./models.ts";
import type { MultipartPart, OpenAiCall, OpenAiGenerationsRequest } from "./wire-types.ts";
import { formatName } from "@imagegen/provider-kit";

/** Looks up a declared model or fails with MODEL_NOT_AVAILABLE. */
export function requireOpenAiModel(id: string): OpenAiModel {
  const model = OPENAI_MODELS.get(id);
  if (!model) throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `the openai provider does not serve model "${id}"`);
  return model;
}

/** Translates one canonical job to the OpenAI call that runs it. */
export async function translateOpenAiRequest(req: GenerateRequest): Promise<OpenAiCall> {
  const model = requireOpenAiModel(req.model);
  switch (req.operation) {
    case Operation.TEXT_TO_IMAGE:
      return { path: "/images/generations", json: generationsBody(req, model) };
    case Operation.IMAGE_TO_IMAGE:
    case Operation.INPAINT:
      return { path: "/images/edits", parts: await editParts(req, model) };
    case Operation.VARIATION:
      return { path: "/images/variations", parts: variationParts(req, model) };
    default:
      throw apiError(ErrorReason.UNSUPPORTED, `model ${req.model} does not offer this operation`);
  }
}

function generationsBody(req: GenerateRequest, model: OpenAiModel): OpenAiGenerationsRequest {
  const body: OpenAiGenerationsRequest = { model: req.model, prompt: req.prompt };
  if (req.numOutputs > 1) body.n = req.numOutputs;
  const size = sizeOf(req);
  if (size) body.size = size;
  Object.assign(body, formatFields(req, model));
  return body;
}

async function editParts(req: GenerateRequest, model: OpenAiModel): Promise<MultipartPart[]> {
  const image = requireImage(req.initImage, "init_image");
  if (req.operation === Operation.INPAINT && !req.mask?.data.length) {
    throw apiError(ErrorReason.INVALID_REQUEST, "inpainting needs a mask", {
      fieldViolations: [{ field: "mask", description: "required for inpainting" }],
    });
  }
  if (req.operation === Operation.IMAGE_TO_IMAGE && req.mask?.data.length) {
    throw apiError(ErrorReason.INVALID_REQUEST, "a mask is only used for inpainting", {
      fieldViolations: [{ field: "mask", description: "not used for image-to-image" }],
    });
  }
  if (model.family === "dall-e-2") requireSquarePng(image);
  const parts: MultipartPart[] = [
    { name: "model", value: req.model },
    { name: "prompt", value: req.prompt },
    fileOf("image", image),
  ];
  if (req.mask?.data.length) {
    const mask = await whiteMaskToOpenAiMask(req.mask.data, image.width, image.height);
    parts.push({ name: "mask", file: { data: mask, filename: "mask.png", contentType: "image/png" } });
  }
  return [...parts, ...commonParts(req, model)];
}

function variationParts(req: GenerateRequest, model: OpenAiModel): MultipartPart[] {
  const image = requireImage(req.initImage, "init_image");
  requireSquarePng(image);
  return [{ name: "model", value: req.model }, fileOf("image", image), ...commonParts(req, model)];
}

/** n, size and the format fields, as text parts (multipart numbers travel as strings). */
function commonParts(req: GenerateRequest, model: OpenAiModel): MultipartPart[] {
  const parts: MultipartPart[] = [];
  if (req.numOutputs > 1) parts.push({ name: "n", value: String(req.numOutputs) });
  const size = sizeOf(req);
  if (size) parts.push({ name: "size", value: size });
  for (const [name, value] of Object.entries(formatFields(req, model))) parts.push({ name, value: String(value) });
  return parts;
}

/**
 * DALL·E would answer URLs valid for an hour; asking for base64 saves a download. GPT image
 * models refuse `response_format` and instead take the output encoding.
 */
function formatFields(req: GenerateRequest, model: OpenAiModel): Partial<OpenAiGenerationsRequest> {
  if (model.family !== "gpt-image") return { response_format: "b64_json" };
  const fields: Partial<OpenAiGenerationsRequest> = {};
  if (req.outputFormat !== Format.UNSPECIFIED) fields.output_format = formatName(req.outputFormat);
  const lossy = fields.output_format === "jpeg" || fields.output_format === "webp";
  if (lossy && req.quality !== undefined) fields.output_compression = Math.min(100, req.quality);
  return fields;
}

function sizeOf(req: GenerateRequest): string | undefined {
  return req.width && req.height ? `${req.width}x${req.height}` : undefined;
}

function requireImage(image: InputImage | undefined, field: string): InputImage {
  if (!image?.data.length) {
    throw apiError(ErrorReason.INVALID_REQUEST, `${field} is required for this operation`, {
      fieldViolations: [{ field, description: "required" }],
    });
  }
  return image;
}

function requireSquarePng(image: InputImage): void {
  if (image.format !== Format.PNG || image.width !== image.height) {
    throw apiError(ErrorReason.INVALID_IMAGE, "dall-e-2 needs a square PNG input image", {
      fieldViolations: [{ field: "init_image", description: "must be a square PNG" }],
    });
  }
}

function fileOf(name: string, image: InputImage): MultipartPart {
  const format = formatName(image.format);
  return {
    name,
    file: {
      data: image.data,
      filename: `${name}.${format === "jpeg" ? "jpg" : format}`,
      contentType: `image/${format}`,
    },
  };
}
