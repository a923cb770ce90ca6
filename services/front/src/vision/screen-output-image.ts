import { apiError, ErrorReason } from "@imagegen/errors";
import type { OutputImage } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { VisionConfig } from "./vision-config.ts";

/** Scores one provider output; throws CONTENT_POLICY when it must be withheld. */
export type ScreenOutputImage = (owner: string, image: OutputImage) => Promise<number | undefined>;

/**
 * The NSFW score of every output image, whatever provider made it: the provider's own when it
 * reports one, else NSFWJS's. With the owner's `nsfw_filter` on (the default), a score at or
 * above the threshold fails the generation with CONTENT_POLICY before the image is stored or
 * charged. Without the models (IMAGEGEN_VISION=off) the score is absent and nothing is withheld.
 */
export function createOutputScreening(vision: VisionConfig, nsfwFilterOf: (owner: string) => boolean): ScreenOutputImage {
  return async (owner, image) => {
    const score = image.nsfwScore ?? (vision.pool ? (await vision.pool.analyze(image.data, { nsfw: true })).nsfwScore : undefined);
    if (score !== undefined && score >= vision.nsfwThreshold && nsfwFilterOf(owner)) {
      throw apiError(
        ErrorReason.CONTENT_POLICY,
        `an output image was withheld by your NSFW filter (score ${score.toFixed(2)} ≥ ${vision.nsfwThreshold}); turn nsfw_filter off in your preferences to receive such images`,
      );
    }
    return score;
  };
}
