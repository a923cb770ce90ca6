import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { Format, Operation, OutputImageSchema } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { ImageService, RemoveBackgroundRequest } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import sharp from "sharp";
import { planGeneration, type Planner } from "../generation/generation-plan.ts";
import type { GenerationRunner } from "../generation/generation-runner.ts";
import { newId } from "../generation/ids.ts";
import type { Job } from "../generation/image-jobs.ts";
import { resolveInputImage, type InputImageDeps } from "../generation/input-image.ts";
import { waitMsFor } from "../generation/wait-preference.ts";
import type { ImageStore } from "../images/image-store.ts";
import { applyFilters, type OutputFormat } from "../processing/apply-filters.ts";
import { foregroundBounds } from "../processing/foreground-bounds.ts";
import { layOnBackground, type NewBackground } from "../processing/replace-background.ts";
import type { WebhookDispatcher } from "../webhooks/webhook-dispatcher.ts";
import { principalOf } from "./principal-of.ts";
import type { VisionPool } from "@imagegen/vision";
import { countSourceFaces } from "../vision/count-source-faces.ts";
import type { ScreenOutputImage } from "../vision/screen-output-image.ts";
import { requestQuotaKey } from "../metering/quota.ts";

export interface ProcessDeps {
  readonly runner: GenerationRunner;
  readonly planner: Planner;
  readonly images: ImageStore;
  readonly inputImages: InputImageDeps;
  readonly dispatcher?: WebhookDispatcher;
  /** A filtered image was stored (integrations upload it). */
  readonly onProcessed?: (owner: string, image: { id: string; blobPath: string; format: string }) => void;
  /**
   * The longest a process call waits for its provider job (the caller's `Prefer: wait=N` or
   * `respond-async` shortens it); a job still running then is answered with its id alone.
   */
  readonly waitMs: number;
  /** Pixel bound of an image the front decodes itself (filters). */
  readonly maxPixels: number;
  /** Offline models: face count for `enhance_faces`; absent when IMAGEGEN_VISION=off. */
  readonly vision?: VisionPool;
  /** NSFW score of a filtered image (the others are scored by the runner); CONTENT_POLICY withholds it. */
  readonly screenImage?: ScreenOutputImage;
}

const DEFAULT_UPSCALE_MODEL = "real-esrgan";
const DEFAULT_BACKGROUND_MODEL = "remove-background";

/**
 * The /process endpoints. Filters are done here with sharp (deterministic, no provider, bounded by
 * maxPixels: answered at once); upscale and background removal are provider jobs routed like
 * generations. Like a generation, such a job that outlasts the call's wait keeps running and the
 * call answers its id without a result (HTTP 202 on REST): the generation to poll or watch.
 */
export function processHandlers(
  deps: ProcessDeps,
): Pick<ServiceImpl<typeof ImageService>, "applyFilters" | "upscale" | "removeBackground"> {
  return {
    async applyFilters(req, ctx) {
      const principal = principalOf(ctx);
      const started = performance.now();
      const input = await resolveInputImage(req.imageUrl, "image_url", deps.inputImages);
      const format = (req.outputFormat === "jpeg" ? "jpg" : req.outputFormat || "png") as OutputFormat;
      const result = await applyFilters(Buffer.from(input.data), req.filters, format, deps.maxPixels);
      const nsfwScore = await deps.screenImage?.(principal, create(OutputImageSchema, { data: result.bytes }));
      const id = newId("proc");
      const path = await deps.images.put(id, "result", format, result.bytes);
      const url = deps.images.url(path);
      deps.dispatcher?.emit(principal.owner, "process.completed", {
        process_id: id,
        user_id: principal.owner,
        url,
        filters_applied: result.applied,
      });
      deps.onProcessed?.(principal.owner, { id, blobPath: path, format });
      return {
        id,
        processedImage: {
          url,
          filtersApplied: result.applied,
          processingTimeMs: Math.round(performance.now() - started),
          width: result.width,
          height: result.height,
          sizeBytes: result.bytes.length,
          format: format === "jpg" ? 2 : format === "webp" ? 3 : 1,
          nsfwScore,
        },
      };
    },

    async upscale(req, ctx) {
      const input = await resolveInputImage(req.imageUrl, "image_url", deps.inputImages);
      const generation = await runJob(deps, ctx, req.model || DEFAULT_UPSCALE_MODEL, "upscale", {
        ...emptyJob(),
        operation: Operation.UPSCALE,
        width: input.width,
        height: input.height,
        scale: req.scaleFactor,
        initImage: input,
      });
      if (isPending(generation)) return { id: generation.id };
      const image = generation.images[0];
      // Faces are counted on the input; no offline upscaler restores faces, so none is "enhanced".
      const facesDetected = req.enhanceFaces ? await countSourceFaces(deps.vision, input.data, ctx.signal) : undefined;
      return {
        id: generation.id,
        result: {
          url: image?.url ?? "",
          originalDimensions: { width: input.width, height: input.height },
          upscaledDimensions: { width: image?.width ?? 0, height: image?.height ?? 0 },
          enhancementDetails: facesDetected === undefined ? undefined : { facesDetected, facesEnhanced: 0 },
          nsfwScore: image?.nsfwScore,
        },
      };
    },

    async removeBackground(req, ctx) {
      const input = await resolveInputImage(req.imageUrl, "image_url", deps.inputImages);
      // The new background is read before any provider is paid: a bad one fails the call first.
      const background = await newBackgroundOf(req, deps.inputImages);
      const format = req.outputFormat === "webp" ? Format.WEBP : Format.PNG;
      const generation = await runJob(deps, ctx, req.model || DEFAULT_BACKGROUND_MODEL, "remove-background", {
        ...emptyJob(),
        operation: Operation.REMOVE_BACKGROUND,
        width: input.width,
        height: input.height,
        outputFormat: format,
        initImage: input,
        foregroundThreshold: req.foregroundThreshold,
        edgeSmoothing: req.edgeSmoothing,
      });
      if (isPending(generation)) return { id: generation.id };
      const image = generation.images[0];
      if (!image) throw apiError(ErrorReason.GENERATION_FAILED, "background removal produced no image");
      // The mask and the bounds are measured from the result's alpha channel, not reported.
      const cutout = await deps.images.read(deps.images.ownPath(image.url) as string);
      const { data, info } = await sharp(cutout)
        .ensureAlpha()
        .extractChannel("alpha")
        .raw()
        .toBuffer({ resolveWithObject: true });
      const maskPath = await deps.images.put(
        generation.id,
        `${image.id}_mask`,
        "png",
        await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
          .png()
          .toBuffer(),
      );
      const url = background
        ? deps.images.url(
            await deps.images.put(
              generation.id,
              `${image.id}_replaced`,
              format === Format.WEBP ? "webp" : "png",
              await layOnBackground(cutout, background, format === Format.WEBP ? "webp" : "png"),
            ),
          )
        : image.url;
      return {
        id: generation.id,
        result: {
          url,
          maskUrl: deps.images.url(maskPath),
          foregroundBounds: foregroundBounds(data, info.width, info.height),
          nsfwScore: image.nsfwScore,
        },
      };
    },
  };
}

async function runJob(
  deps: ProcessDeps,
  ctx: HandlerContext,
  model: string,
  operation: string,
  job: Job,
): Promise<Generation> {
  const principal = principalOf(ctx);
  const plan = planGeneration(deps.planner, principal, { model, defaultModel: () => model }, operation, job);
  const waitMs = waitMsFor(ctx.requestHeader.get("prefer"), deps.waitMs);
  const generation = await deps.runner.run(plan, {
    principal,
    metadataJson: "",
    waitMs,
    headers: new Headers(),
    quota: ctx.values.get(requestQuotaKey),
  });
  if (generation.status !== GenerationStatus.COMPLETED && !isPending(generation)) {
    // A caller that waited sees a failure as its error (the runner throws it); this is what is left.
    throw apiError(
      ErrorReason.GENERATION_FAILED,
      `the ${operation} job ended ${GenerationStatus[generation.status].toLowerCase()}`,
      { metadata: { generation_id: generation.id } },
    );
  }
  return generation;
}

/** Still running past the wait: answered with its id, followed as a generation. */
/**
 * Mode "replace" needs exactly one new background; mode "remove" takes none. The picture is loaded
 * with image_url's rules (size, pixels, the SSRF guard for https).
 */
async function newBackgroundOf(
  req: RemoveBackgroundRequest,
  inputImages: InputImageDeps,
): Promise<NewBackground | undefined> {
  const refuse = (field: string, why: string) =>
    apiError(ErrorReason.INVALID_REQUEST, `${field}: ${why}`, {
      fieldViolations: [{ field, description: why, rule: "mode" }],
    });
  const given = [req.backgroundColor && "background_color", req.backgroundImageUrl && "background_image_url"].filter(
    (field): field is string => Boolean(field),
  );
  if (req.mode !== "replace") {
    if (given[0]) throw refuse(given[0], 'only mode "replace" takes a new background');
    return undefined;
  }
  if (given.length !== 1)
    throw refuse("background_color", 'mode "replace" needs exactly one of background_color and background_image_url');
  if (req.backgroundColor) return { color: req.backgroundColor };
  return { image: (await resolveInputImage(req.backgroundImageUrl, "background_image_url", inputImages)).data };
}

function isPending(generation: Generation): boolean {
  return generation.status === GenerationStatus.QUEUED || generation.status === GenerationStatus.PROCESSING;
}

function emptyJob(): Job {
  return {
    operation: Operation.UNSPECIFIED,
    prompt: "",
    negativePrompt: "",
    width: 0,
    height: 0,
    numOutputs: 1,
    seed: undefined,
    steps: undefined,
    guidance: undefined,
    outputFormat: Format.PNG,
    quality: undefined,
    initImage: undefined,
    mask: undefined,
    strength: undefined,
    scale: 0,
    generationId: "",
    scheduler: "",
    sampler: "",
    foregroundThreshold: undefined,
    edgeSmoothing: false,
  };
}
