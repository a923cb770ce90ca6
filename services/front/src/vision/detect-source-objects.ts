import type { Logger } from "@imagegen/server-kit";
import type { VisionPool } from "@imagegen/vision";

/**
 * COCO labels seen in a source image (CenterNet, score ≥ 0.4), for `source_image.analysis`.
 * The analysis is a description, not the job: when the models are off, busy or fail, or the
 * caller gave up (`signal`: it then leaves the models' queue at once), the field is left empty
 * (never guessed) and the generation goes on.
 */
export async function detectSourceObjects(
  pool: VisionPool | undefined,
  image: Uint8Array | undefined,
  signal?: AbortSignal,
  logger?: Logger,
): Promise<string[]> {
  if (!pool || !image) return [];
  try {
    return ((await pool.analyze(image, { objects: true }, { signal })).objects ?? []).map((o) => o.label);
  } catch (error) {
    logger?.warn("source image analysis skipped", { error: (error as Error).message });
    return [];
  }
}
