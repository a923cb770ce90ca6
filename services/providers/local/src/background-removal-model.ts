import { apiError, ErrorReason } from "@imagegen/errors";
import { Format, Operation, type GenerateRequest } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import {
  type Cutout,
  createMattingPool,
  ISNET_INSTALL_HINT,
  isnetModelInstalled,
  type MattingPool,
} from "@imagegen/vision";

/** The local provider's segmentation model: ISNet (DIS), weights fetched by `npm run models`. */
export const ISNET_MODEL_ID = "isnet-medium";

/** Largest side and pixel count accepted: the network always runs at 1024², only decode/resize/encode grow. */
const MAX_SIDE = 4096;
const MAX_PIXELS = 4096 * 4096;

/** What DescribeProvider declares for it: background removal only, any size up to the bound, no multiple rule. */
export const ISNET_MODEL = {
  id: ISNET_MODEL_ID,
  displayName: "ISNet background-removal network (DIS, IMG.LY medium weights)",
  usdPerImage: 0,
  limits: {
    operations: [Operation.REMOVE_BACKGROUND],
    minSize: 1,
    maxSize: MAX_SIDE,
    sizeMultiple: 1,
    maxPixels: MAX_PIXELS,
    maxOutputs: 1,
    formats: [Format.PNG, Format.WEBP],
  },
};

let pool: MattingPool | undefined;

/**
 * One worker per provider process, started on the first job. Two jobs may wait behind the
 * running one (a warm run takes 5-10 s on 2 cores); beyond that the caller gets RATE_LIMITED with
 * Retry-After. A job may run 120 s (the first includes loading the model).
 */
function mattingPool(): MattingPool {
  return (pool ??= createMattingPool({ maxQueued: 2, timeoutMs: 120_000 }));
}

/** Runs one background removal (mode "remove": the subject on a transparent background) until `signal` aborts. */
export async function removeBackgroundRequest(req: GenerateRequest, signal?: AbortSignal): Promise<Cutout> {
  if (req.operation !== Operation.REMOVE_BACKGROUND)
    throw apiError(ErrorReason.UNSUPPORTED, `${ISNET_MODEL_ID} only removes backgrounds`);
  const image = req.initImage?.data;
  if (!image?.length) throw apiError(ErrorReason.INVALID_IMAGE, "background removal needs an input image");
  // Said before queueing: the worker would only find the same thing out seconds later.
  if (!isnetModelInstalled()) throw apiError(ErrorReason.UNAVAILABLE, ISNET_INSTALL_HINT);
  const format = req.outputFormat === Format.WEBP ? "webp" : "png";
  return mattingPool().removeBackground(
    image,
    { format, quality: req.quality, foregroundThreshold: req.foregroundThreshold, edgeSmoothing: req.edgeSmoothing },
    // A job canceled or past its deadline leaves the queue instead of holding its place.
    { signal },
  );
}

/** Stops the worker (process shutdown). */
export async function closeBackgroundRemoval(): Promise<void> {
  await pool?.close();
  pool = undefined;
}
