import { apiError, ErrorReason } from "@imagegen/errors";
import type { OutputImage } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { VisionConfig } from "./vision-config.ts";

/** Whose result it is: the owner's preference and the key's tier decide whether it is filtered. */
export interface ScreenedFor {
  readonly owner: string;
  readonly tier: string;
}

/**
 * Scores one provider output; throws CONTENT_POLICY when it must be withheld. `signal`: the
 * generation's (a cancel, or its caller gone) — its image then leaves the models' queue.
 */
export type ScreenOutputImage = (
  caller: ScreenedFor,
  image: OutputImage,
  signal?: AbortSignal,
) => Promise<number | undefined>;

/**
 * The NSFW score of every output image, whatever provider made it: the provider's own when it
 * reports one, else NSFWJS's. With the owner's `nsfw_filter` on (the default), or for a key of an
 * enforced tier, a score at or above the threshold fails the job with CONTENT_POLICY before the
 * image is stored or charged. Without the models (IMAGEGEN_VISION=off) the score is absent and
 * nothing is withheld.
 */
export function createOutputScreening(
  vision: Pick<VisionConfig, "pool" | "nsfwThreshold" | "enforcedTiers">,
  nsfwFilterOf: (owner: string) => boolean | Promise<boolean>,
): ScreenOutputImage {
  return async (caller, image, signal) => {
    const score =
      image.nsfwScore ??
      (vision.pool ? (await vision.pool.analyze(image.data, { nsfw: true }, { signal })).nsfwScore : undefined);
    if (score === undefined || score < vision.nsfwThreshold) return score;
    const byTier = vision.enforcedTiers.has(caller.tier);
    if (byTier || (await nsfwFilterOf(caller.owner))) {
      const how = byTier
        ? `the ${caller.tier} tier always filters such images`
        : "turn nsfw_filter off in your preferences to receive such images";
      throw apiError(
        ErrorReason.CONTENT_POLICY,
        `an output image was withheld by the NSFW filter (score ${score.toFixed(2)} ≥ ${vision.nsfwThreshold}); ${how}`,
      );
    }
    return score;
  };
}
