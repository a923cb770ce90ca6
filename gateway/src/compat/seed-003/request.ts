import type { MessageInitShape } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import type {
  CreateVariationsRequestSchema,
  ImageToImageRequestSchema,
} from "@imagegen/proto/imagegen/v1/image_service_pb";
import { fileAsDataUrl, intField, stringField, type BodyFields } from "../shared/http-input.ts";

const DEFAULT_NUM_IMAGES = 4;
const IMAGE_TYPES = /^image\/(png|jpe?g)$/i;

function required(fields: Record<string, unknown>, name: string): string {
  const value = stringField(fields, name);
  if (!value)
    throw apiError(ErrorReason.INVALID_REQUEST, `${name} is required`, {
      fieldViolations: [{ field: name, description: "is required" }],
    });
  return value;
}

/** POST /api/generate (multipart): image (PNG/JPG file), prompt, model, num_images (default 4). */
export async function parseGenerate(body: BodyFields): Promise<MessageInitShape<typeof ImageToImageRequestSchema>> {
  if (body.kind !== "multipart")
    throw apiError(ErrorReason.INVALID_REQUEST, "send multipart/form-data with an image file, prompt and model");
  const image = body.files.get("image")?.[0];
  if (!image)
    throw apiError(ErrorReason.INVALID_REQUEST, "image is required (a PNG or JPG file part)", {
      fieldViolations: [{ field: "image", description: "is required" }],
    });
  // The declared type is only a first filter: the front sniffs and probes the bytes themselves.
  if (image.type && !IMAGE_TYPES.test(image.type) && image.type !== "application/octet-stream") {
    throw apiError(ErrorReason.INVALID_IMAGE, `image must be PNG or JPG, not ${image.type.slice(0, 60)}`, {
      fieldViolations: [{ field: "image", description: "must be PNG or JPG" }],
    });
  }
  return {
    initImage: await fileAsDataUrl(image),
    prompt: required(body.fields, "prompt"),
    model: required(body.fields, "model"),
    parameters: { numOutputs: intField(body.fields, "num_images") ?? DEFAULT_NUM_IMAGES },
  };
}

/** POST /api/variation (JSON): image_url of a generated image, prompt, model, num_images. */
export function parseVariation(body: BodyFields): MessageInitShape<typeof CreateVariationsRequestSchema> {
  return {
    image: required(body.fields, "image_url"),
    prompt: stringField(body.fields, "prompt") ?? "",
    model: required(body.fields, "model"),
    numOutputs: intField(body.fields, "num_images") ?? DEFAULT_NUM_IMAGES,
  };
}
