import type { MessageInitShape } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import type { TextToImageRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ImageFormat } from "@imagegen/proto/imagegen/v1/types_pb";
import { intField, stringField, type BodyFields } from "../shared/http-input.ts";

const FORMATS: Record<string, ImageFormat> = {
  png: ImageFormat.PNG,
  jpg: ImageFormat.JPG,
  jpeg: ImageFormat.JPG,
  webp: ImageFormat.WEBP,
};

/**
 * The documented payload of POST /api/generate/{provider}:
 *   {prompt, model?, negative_prompt?, width?, height?, num_images?, seed?, steps?,
 *    guidance_scale?, output_format?: png|jpg|webp}
 * Ranges are the canonical API's (checked by the front, errors name these fields).
 */
export function parseSeed000(body: BodyFields): MessageInitShape<typeof TextToImageRequestSchema> {
  const { fields } = body;
  const prompt = stringField(fields, "prompt");
  if (!prompt) {
    throw apiError(ErrorReason.INVALID_REQUEST, "prompt is required", {
      fieldViolations: [{ field: "prompt", description: "is required" }],
    });
  }
  const formatName = stringField(fields, "output_format");
  const format = formatName === undefined ? ImageFormat.PNG : FORMATS[formatName.toLowerCase()];
  if (format === undefined) {
    throw apiError(ErrorReason.INVALID_REQUEST, "output_format must be png, jpg or webp", {
      fieldViolations: [{ field: "output_format", description: "must be png, jpg or webp" }],
    });
  }
  const guidance = fields.guidance_scale;
  if (guidance !== undefined && typeof guidance !== "number") {
    throw apiError(ErrorReason.INVALID_REQUEST, "guidance_scale must be a number", {
      fieldViolations: [{ field: "guidance_scale", description: "must be a number" }],
    });
  }
  return {
    prompt,
    negativePrompt: stringField(fields, "negative_prompt") ?? "",
    model: stringField(fields, "model") ?? "",
    parameters: {
      width: intField(fields, "width"),
      height: intField(fields, "height"),
      numOutputs: intField(fields, "num_images"),
      seed: intField(fields, "seed"),
      numInferenceSteps: intField(fields, "steps"),
      guidanceScale: guidance,
    },
    output: { format },
  };
}
