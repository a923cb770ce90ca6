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
export {
  ISNET_INSTALL_HINT,
  ISNET_MODEL_PATH,
  isnetModelInstalled,
} from "./matting/isnet-model-file.ts";
export { createMattingPool } from "./matting/matting-pool.ts";
export type { MattingPool, MattingPoolOptions } from "./matting/matting-pool.ts";
export { EDGE_SMOOTHING_SIGMA } from "./matting/refine-matte.ts";
export type { Cutout, CutoutFormat, RemoveBackgroundOptions } from "./matting/remove-background.ts";
