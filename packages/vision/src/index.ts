export { createVisionPool, DEFAULT_MAX_QUEUED, DEFAULT_TIMEOUT_MS } from "./vision-pool.ts";
export type { VisionPool, VisionPoolOptions } from "./vision-pool.ts";
export { ANALYSIS_MAX_SIDE, DEFAULT_NSFW_THRESHOLD, FACE_MIN_SCORE, OBJECT_MIN_SCORE } from "./thresholds.ts";
export type { AnalysisTasks, DetectedObject, ImageAnalysis } from "./vision-types.ts";
