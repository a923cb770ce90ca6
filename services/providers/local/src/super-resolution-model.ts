import { apiError, ErrorReason } from "@imagegen/errors";
import { Format, Operation, type GenerateRequest } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createVisionPool, SR_MAX_INPUT_PIXELS, type UpscaledImage, type VisionPool } from "@imagegen/vision";
import { formatName } from "@imagegen/provider-kit";

/** The local provider's learned upscaler: ESRGAN-slim from UpscalerJS, run offline. */
export const ESRGAN_SLIM_MODEL_ID = "esrgan-slim";

/** Largest side accepted (with SR_MAX_INPUT_PIXELS in all): 1024² takes about a minute or more (README). */
const MAX_SIDE = 1024;

/** What DescribeProvider declares for it: upscale only, any size up to the bound, no multiple rule. */
export const ESRGAN_SLIM_MODEL = {
  id: ESRGAN_SLIM_MODEL_ID,
  displayName: "ESRGAN-slim super-resolution network (UpscalerJS)",
  usdPerImage: 0,
  limits: {
    operations: [Operation.UPSCALE],
    minSize: 1,
    maxSize: MAX_SIDE,
    sizeMultiple: 1,
    maxPixels: SR_MAX_INPUT_PIXELS,
    maxOutputs: 1,
    formats: [Format.PNG, Format.JPEG, Format.WEBP],
  },
};

let pool: VisionPool | undefined;

/**
 * One worker per provider process, started on the first upscale. Two jobs may wait behind the
 * running one (each may take tens of seconds); beyond that the caller gets RATE_LIMITED with
 * Retry-After. A job may run 240 s, inside the front's provider timeout.
 */
function srPool(): VisionPool {
  return (pool ??= createVisionPool({ maxQueued: 2, timeoutMs: 240_000 }));
}

/** Runs one ×2/×4 super-resolution job until `signal` aborts. */
export async function superResolveRequest(req: GenerateRequest, signal?: AbortSignal): Promise<UpscaledImage> {
  if (req.operation !== Operation.UPSCALE)
    throw apiError(ErrorReason.UNSUPPORTED, `${ESRGAN_SLIM_MODEL_ID} only upscales`);
  if (req.scale !== 2 && req.scale !== 4) throw apiError(ErrorReason.INVALID_REQUEST, "scale_factor must be 2 or 4");
  const image = req.initImage?.data;
  if (!image?.length) throw apiError(ErrorReason.INVALID_IMAGE, "upscaling needs an input image");
  const format = formatName(req.outputFormat);
  // A job canceled or past its deadline leaves the queue instead of holding its place.
  return srPool().upscale(image, { scale: req.scale, format, quality: req.quality }, { signal });
}

/** Stops the worker (process shutdown). */
export async function closeSuperResolution(): Promise<void> {
  await pool?.close();
  pool = undefined;
}
