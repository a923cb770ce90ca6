import type { MessageInitShape } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import type {
  CreateVariationsRequestSchema,
  ImageToImageRequestSchema,
  InpaintRequestSchema,
  TextToImageRequestSchema,
} from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ImageFormat } from "@imagegen/proto/imagegen/v1/types_pb";
import { fileAsDataUrl, intField, stringField, type BodyFields } from "../shared/http-input.ts";
import { openAiMaskToWhiteMeansEdit } from "./mask.ts";

/** How the client wants its images: OpenAI's `response_format`. */
export type ResponseFormat = "url" | "b64_json";

/** A parsed OpenAI images request: the canonical request plus how to render the answer. */
export interface OpenAiCall<T> {
  readonly request: T;
  readonly responseFormat: ResponseFormat;
}

const OUTPUT_FORMATS: Record<string, ImageFormat> = {
  png: ImageFormat.PNG,
  jpeg: ImageFormat.JPG,
  webp: ImageFormat.WEBP,
};

function invalid(param: string, message: string) {
  return apiError(ErrorReason.INVALID_REQUEST, message, { fieldViolations: [{ field: param, description: message }] });
}

function requiredPrompt(fields: Record<string, unknown>): string {
  const prompt = stringField(fields, "prompt");
  if (!prompt) throw invalid("prompt", "prompt is required");
  return prompt;
}

/** "1024x1024" → width/height; "auto" or absent → the model's default. */
function parseSize(fields: Record<string, unknown>): { width?: number; height?: number } {
  const size = stringField(fields, "size");
  if (size === undefined || size === "auto") return {};
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (!match) throw invalid("size", `size must be WIDTHxHEIGHT or auto, not ${JSON.stringify(size.slice(0, 40))}`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

// GPT image models always answer base64 and reject response_format; DALL·E defaults to url.
function responseFormatOf(fields: Record<string, unknown>, model: string): ResponseFormat {
  const given = stringField(fields, "response_format");
  if (given === undefined) return model.startsWith("gpt-image") ? "b64_json" : "url";
  if (given !== "url" && given !== "b64_json")
    throw invalid("response_format", "response_format must be url or b64_json");
  return given;
}

function outputOf(fields: Record<string, unknown>) {
  const name = stringField(fields, "output_format");
  const format = name === undefined ? ImageFormat.PNG : OUTPUT_FORMATS[name];
  if (format === undefined) throw invalid("output_format", "output_format must be png, jpeg or webp");
  const compression = intField(fields, "output_compression");
  return { format, quality: compression === undefined ? undefined : Math.max(1, Math.min(100, compression)) };
}

function numOutputs(fields: Record<string, unknown>): number {
  return intField(fields, "n") ?? 1;
}

/** POST /v1/images/generations (JSON). */
export function parseGeneration(body: BodyFields): OpenAiCall<MessageInitShape<typeof TextToImageRequestSchema>> {
  const { fields } = body;
  const model = stringField(fields, "model") ?? "";
  return {
    responseFormat: responseFormatOf(fields, model),
    request: {
      prompt: requiredPrompt(fields),
      model,
      parameters: { ...parseSize(fields), numOutputs: numOutputs(fields) },
      output: outputOf(fields),
    },
  };
}

/** The first uploaded `image` or `image[]` part; extra reference images are not used. */
function firstImage(body: BodyFields): File {
  const file = body.files.get("image")?.[0] ?? body.files.get("image[]")?.[0];
  if (!file) throw invalid("image", "image is required (a multipart file part named image or image[])");
  return file;
}

async function multipartEditInputs(body: BodyFields): Promise<{ image: string; mask?: Buffer }> {
  const mask = body.files.get("mask")?.[0];
  return { image: await fileAsDataUrl(firstImage(body)), mask: mask && Buffer.from(await mask.arrayBuffer()) };
}

/**
 * The JSON form (GPT image models): `images[0].image_url` is handed to the front as is (an
 * https URL goes through its SSRF guard, a data: URL is decoded there); a mask must be a data:
 * URL, because its transparent-means-edit convention is converted here. `file_id` references
 * OpenAI's own file store, which this gateway does not have.
 */
function jsonEditInputs(fields: Record<string, unknown>): { image: string; mask?: Buffer } {
  const urlOf = (ref: unknown, param: string): string => {
    const value = typeof ref === "object" && ref !== null ? (ref as Record<string, unknown>) : {};
    if (typeof value.file_id === "string")
      throw invalid(param, `${param}: file_id is not supported here; send image_url`);
    if (typeof value.image_url !== "string" || !value.image_url)
      throw invalid(param, `${param} must be {"image_url": "<https or data: URL>"}`);
    return value.image_url;
  };
  const images = fields.images;
  if (!Array.isArray(images) || images.length === 0)
    throw invalid("images", "images must hold at least one {image_url}");
  const image = urlOf(images[0], "images");
  if (fields.mask === undefined || fields.mask === null) return { image };
  const maskUrl = urlOf(fields.mask, "mask");
  const data = /^data:image\/[\w.+-]+;base64,/i.exec(maskUrl);
  if (!data) throw invalid("mask", "mask.image_url must be a base64 data: URL");
  return { image, mask: Buffer.from(maskUrl.slice(data[0].length), "base64") };
}

/**
 * POST /v1/images/edits (multipart, or JSON for GPT image models). Without a mask the whole image is reworked (image-to-image);
 * with one, OpenAI's transparent-means-edit mask is converted to the canonical white-means-edit.
 */
export async function parseEdit(
  body: BodyFields,
  maxPixels: number,
): Promise<
  OpenAiCall<
    | { kind: "inpaint"; value: MessageInitShape<typeof InpaintRequestSchema> }
    | { kind: "image-to-image"; value: MessageInitShape<typeof ImageToImageRequestSchema> }
  >
> {
  const { fields } = body;
  const model = stringField(fields, "model") ?? "";
  const prompt = requiredPrompt(fields);
  const { image, mask } = body.kind === "json" ? jsonEditInputs(fields) : await multipartEditInputs(body);
  const parameters = { ...parseSize(fields), numOutputs: numOutputs(fields) };
  const output = outputOf(fields);
  const responseFormat = responseFormatOf(fields, model);
  if (mask) {
    const white = await openAiMaskToWhiteMeansEdit(mask, maxPixels);
    const maskImage = `data:image/png;base64,${white.toString("base64")}`;
    return {
      responseFormat,
      request: { kind: "inpaint", value: { initImage: image, maskImage, prompt, model, parameters, output } },
    };
  }
  return {
    responseFormat,
    request: { kind: "image-to-image", value: { initImage: image, prompt, model, parameters, output } },
  };
}

/** POST /v1/images/variations (multipart): no prompt. */
export async function parseVariation(
  body: BodyFields,
): Promise<OpenAiCall<MessageInitShape<typeof CreateVariationsRequestSchema>>> {
  const { fields } = body;
  const model = stringField(fields, "model") ?? "";
  parseSize(fields); // validated like OpenAI; variations keep the input's size
  return {
    responseFormat: responseFormatOf(fields, model),
    request: {
      image: await fileAsDataUrl(firstImage(body)),
      model,
      numOutputs: numOutputs(fields),
      output: outputOf(fields),
    },
  };
}
