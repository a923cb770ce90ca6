import type { MessageInitShape } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import type { TextToImageRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { intField, stringField, type BodyFields } from "../shared/http-input.ts";

const REQUIRED = ["model", "prompt", "num_images", "width", "height"] as const;

/**
 * Seed 001's body {model, prompt, num_images, width, height}, every field required as the
 * document's table says. The model id goes to the catalog as is: a catalog id, or a Replicate
 * "owner/name[:version]" that the front passes through to Replicate.
 */
export function parseSeed001(body: BodyFields): MessageInitShape<typeof TextToImageRequestSchema> {
  const { fields } = body;
  const missing = REQUIRED.filter((name) => fields[name] === undefined || fields[name] === null || fields[name] === "");
  if (missing.length) {
    throw apiError(
      ErrorReason.INVALID_REQUEST,
      `missing required field${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`,
      {
        fieldViolations: missing.map((field) => ({ field, description: "is required" })),
      },
    );
  }
  return {
    model: stringField(fields, "model"),
    prompt: stringField(fields, "prompt"),
    parameters: {
      numOutputs: intField(fields, "num_images"),
      width: intField(fields, "width"),
      height: intField(fields, "height"),
    },
  };
}
