import { apiError, ErrorReason } from "@imagegen/errors";
import { Operation, type GenerateRequest } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import {
  imageToImage,
  inpaint,
  isImageError,
  removeBackground,
  upscale,
  variation,
  type TransformResult,
} from "./render/index.ts";
import { formatName } from "@imagegen/provider-kit";

/**
 * The operations the local engine does from an input image (besides text-to-image). Upscale is
 * lanczos resampling and background removal keys out the border colour: honest image
 * processing, not learned models, and the catalog says so.
 */
export const LOCAL_IMAGE_OPERATIONS = [
  Operation.IMAGE_TO_IMAGE,
  Operation.INPAINT,
  Operation.VARIATION,
  Operation.UPSCALE,
  Operation.REMOVE_BACKGROUND,
] as const;

/**
 * Runs one image of an image operation with the local transforms: blend with a render of the
 * prompt (image-to-image, `strength`, default 0.75), repaint the white area of the mask
 * (inpaint), or a seeded colour/crop/flip variation. Bad input bytes are the caller's
 * INVALID_IMAGE; nothing else is claimed.
 */
export async function renderImageOperation(req: GenerateRequest, seed: number): Promise<TransformResult> {
  const image = req.initImage?.data;
  if (!image?.length) throw apiError(ErrorReason.INVALID_IMAGE, "this operation needs an input image");
  const input = Buffer.from(image);
  const format = formatName(req.outputFormat);
  const prompt = {
    prompt: req.prompt,
    negativePrompt: req.negativePrompt || undefined,
    seed,
    steps: req.steps,
    guidance: req.guidance,
  };
  try {
    switch (req.operation) {
      case Operation.IMAGE_TO_IMAGE:
        return await imageToImage({
          ...prompt,
          image: input,
          format,
          quality: req.quality,
          strength: req.strength ?? 0.75,
          width: req.width || undefined,
          height: req.height || undefined,
        });
      case Operation.INPAINT: {
        const mask = req.mask?.data;
        if (!mask?.length) throw apiError(ErrorReason.INVALID_IMAGE, "inpainting needs a mask image");
        return await inpaint({ ...prompt, image: input, mask: Buffer.from(mask), format, quality: req.quality });
      }
      case Operation.VARIATION:
        return await variation({ image: input, format, quality: req.quality, seed });
      case Operation.UPSCALE:
        if (req.scale !== 2 && req.scale !== 4)
          throw apiError(ErrorReason.INVALID_REQUEST, "scale_factor must be 2 or 4");
        return await upscale({ image: input, scale: req.scale, format, quality: req.quality });
      case Operation.REMOVE_BACKGROUND:
        return await removeBackground({
          image: input,
          format: format === "jpeg" ? "png" : format,
          quality: req.quality,
        });
      default:
        throw apiError(
          ErrorReason.UNSUPPORTED,
          `the local provider does not do ${Operation[req.operation]?.toLowerCase() ?? "this operation"}`,
        );
    }
  } catch (error) {
    if (isImageError(error)) {
      const reason = error.code === "INVALID_ARGUMENT" ? ErrorReason.INVALID_REQUEST : ErrorReason.INVALID_IMAGE;
      throw apiError(reason, error.message);
    }
    throw error;
  }
}
