import type { Logger } from "@imagegen/server-kit";
import type { VisionPool } from "@imagegen/vision";

/**
 * Faces on an upscale's input (face-api TinyFaceDetector, score ≥ 0.5), for
 * `enhancement_details.faces_detected`. Undefined when the models are off, busy or fail, or the
 * caller gave up (`signal`: it then leaves the models' queue at once): the field is then absent,
 * never guessed, and the upscale itself goes on.
 */
export async function countSourceFaces(
  pool: VisionPool | undefined,
  image: Uint8Array,
  signal?: AbortSignal,
  logger?: Logger,
): Promise<number | undefined> {
  if (!pool) return undefined;
  try {
    return (await pool.analyze(image, { faces: true }, { signal })).faces;
  } catch (error) {
    logger?.warn("face detection skipped", { error: (error as Error).message });
    return undefined;
  }
}
