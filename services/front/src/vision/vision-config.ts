import { createVisionPool, DEFAULT_MAX_QUEUED, DEFAULT_NSFW_THRESHOLD, type VisionPool } from "@imagegen/vision";

/** How the front uses the offline image models (README, "Offline image models"). */
export interface VisionConfig {
  /** Absent when IMAGEGEN_VISION=off: no score, no detected objects, the NSFW filter cannot act. */
  readonly pool?: VisionPool;
  /** NSFW score at or above which a result is withheld from a caller whose nsfw_filter is on. */
  readonly nsfwThreshold: number;
  /** Key tiers whose results are always filtered, whatever the owner's preference says. */
  readonly enforcedTiers: ReadonlySet<string>;
}

/**
 * Reads IMAGEGEN_VISION (on|off, default on), IMAGEGEN_NSFW_THRESHOLD (0-1, default 0.7),
 * IMAGEGEN_NSFW_ENFORCED_TIERS (comma list, default "free") and IMAGEGEN_VISION_MAX_QUEUED (default 8). A malformed value stops the start: a safety threshold
 * silently falling back to a default would be worse than not starting.
 */
export function visionConfigFromEnv(env: NodeJS.ProcessEnv): VisionConfig {
  const mode = env.IMAGEGEN_VISION ?? "on";
  if (mode !== "on" && mode !== "off") throw new Error(`IMAGEGEN_VISION must be "on" or "off", not "${mode}"`);
  const nsfwThreshold = Number(env.IMAGEGEN_NSFW_THRESHOLD ?? DEFAULT_NSFW_THRESHOLD);
  if (!(nsfwThreshold >= 0 && nsfwThreshold <= 1))
    throw new Error("IMAGEGEN_NSFW_THRESHOLD must be a number from 0 to 1");
  const maxQueued = Number(env.IMAGEGEN_VISION_MAX_QUEUED ?? DEFAULT_MAX_QUEUED);
  if (!Number.isInteger(maxQueued) || maxQueued < 0)
    throw new Error("IMAGEGEN_VISION_MAX_QUEUED must be a whole number ≥ 0");
  const enforcedTiers = new Set(
    (env.IMAGEGEN_NSFW_ENFORCED_TIERS ?? "free")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  );
  return { pool: mode === "on" ? createVisionPool({ maxQueued }) : undefined, nsfwThreshold, enforcedTiers };
}
