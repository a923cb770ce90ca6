/**
 * Public surface of the local provider's image engine: deterministic
 * procedural text-to-image, local image transforms, and header probing.
 */
export {
  renderTextToImage,
  renderSceneRaw,
  type TextToImageRequest,
  RENDER_MIN_SIDE,
  RENDER_MAX_SIDE,
} from "./render-text-to-image.ts";
export {
  imageToImage,
  inpaint,
  variation,
  upscale,
  removeBackground,
  type TransformResult,
  type ImageToImageRequest,
  type InpaintRequest,
  type VariationRequest,
  type UpscaleRequest,
  type RemoveBackgroundRequest,
} from "./transform-image.ts";
export { openAiMaskToWhiteMeansEdit } from "./mask.ts";
export { probeImage, DEFAULT_MAX_INPUT_PIXELS, type ImageInfo, type InputFormat } from "./image-info.ts";
export { ImageError, isImageError, type ImageErrorCode } from "./errors.ts";
export { OUTPUT_FORMATS, isOutputFormat, type OutputFormat } from "./encode-image.ts";
