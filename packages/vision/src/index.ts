export { createVisionPool, DEFAULT_MAX_QUEUED, DEFAULT_TIMEOUT_MS } from "./vision-pool.ts";
export type { VisionPool, VisionPoolOptions } from "./vision-pool.ts";
export {
  ANALYSIS_MAX_SIDE,
  DEFAULT_NSFW_THRESHOLD,
  FACE_MIN_SCORE,
  OBJECT_MIN_SCORE,
  SR_MAX_INPUT_PIXELS,
} from "./thresholds.ts";
export type { AnalysisTasks, DetectedObject, ImageAnalysis, UpscaledImage, UpscaleFormat } from "./vision-types.ts";
