import type { ModelLimits } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** Sizes worth naming for a model that takes any size in a range (SDXL's trained buckets first). */
const COMMON_SIZES: ReadonlyArray<readonly [number, number]> = [
  [1024, 1024],
  [1152, 896],
  [896, 1152],
  [1216, 832],
  [832, 1216],
  [768, 768],
  [512, 512],
];

/**
 * The sizes the catalog lists for a model: exactly the fixed sizes its route declares, or, for
 * a route taking a range, those common sizes the range accepts. Every listed size is one a
 * request may send; none are listed without a declaration to check them against.
 */
export function supportedSizes(limits: ModelLimits | undefined): Array<{ width: number; height: number }> {
  if (!limits) return [];
  if (limits.fixedSizes.length > 0) return limits.fixedSizes.map((s) => ({ width: s.width, height: s.height }));
  const fits = (side: number): boolean =>
    (limits.minSize === 0 || side >= limits.minSize) &&
    (limits.maxSize === 0 || side <= limits.maxSize) &&
    (limits.sizeMultiple <= 1 || side % limits.sizeMultiple === 0);
  return COMMON_SIZES.filter(
    ([w, h]) => fits(w) && fits(h) && (limits.maxPixels === 0 || w * h <= limits.maxPixels),
  ).map(([width, height]) => ({
    width,
    height,
  }));
}
