import { create } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { imagegenMetrics, noteOnActiveSpan } from "@imagegen/telemetry";
import {
  CreateVariationsRequestSchema,
  ImageService,
  ImageToImageRequestSchema,
  InpaintRequestSchema,
  TextToImageRequestSchema,
  type TextToImageRequest,
} from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ImageFormat, ReturnType } from "@imagegen/proto/imagegen/v1/types_pb";
import { SourceImageSchema, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { RegionSchema } from "@imagegen/proto/imagegen/v1/types_pb";
import { dominantColors, maskCoverage } from "../generation/image-analysis.ts";
import { Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { toProviderFormat } from "../generation/formats.ts";
import { planGeneration, planRoutes, resolveTarget, type Planner } from "../generation/generation-plan.ts";
import type { GenerationRunner, RunRequest } from "../generation/generation-runner.ts";
import { randomSeed } from "../generation/ids.ts";
import { imageToImageJob, inpaintJob, variationJob, type Job } from "../generation/image-jobs.ts";
import { inputImageDepsFromEnv } from "../generation/input-image.ts";
import { composePrompt } from "../generation/prompt.ts";
import { textToImageCacheKey, type GenerationCache } from "../cache/generation-cache.ts";
import { idempotencyClaimOf, type IdempotencyClaim } from "../idempotency/idempotency.ts";
import type { ImageStore } from "../images/image-store.ts";
import type { Store } from "../store/store.ts";
import type { InFlightGenerations } from "../generation/in-flight-generations.ts";
import { waitMsFor } from "../generation/wait-preference.ts";
import { announceProviderDuration } from "../generation/provider-duration.ts";
import type { ProfileStore } from "../profile/profile-store.ts";
import { generationLifecycle } from "./generation-lifecycle.ts";
import { processHandlers, type ProcessDeps } from "./process-handlers.ts";
import { principalOf } from "./principal-of.ts";
import { requestQuotaKey } from "../metering/quota.ts";
import type { VisionPool } from "@imagegen/vision";
import { detectSourceObjects } from "../vision/detect-source-objects.ts";

/** Caller metadata is echoed back; this bound keeps it from becoming free storage. */
const MAX_METADATA_BYTES = 16 * 1024;
/** Headers a provider call carries onward (trace context and the request id). */
const PROPAGATED = ["traceparent", "tracestate", "x-request-id"];

export interface ImageServiceDeps {
  readonly runner: GenerationRunner;
  /** Turns each create request into one plan (generation-plan.ts). */
  readonly planner: Planner;
  readonly store: Store;
  readonly images: ImageStore;
  readonly inFlight: InFlightGenerations;
  /** The caller's saved defaults (model, size), applied where a request leaves them unset. */
  readonly profiles: ProfileStore;
  /** The longest a create call waits for its result before answering 202 with the pending generation. */
  readonly syncWaitMs: number;
  /** Identical text-to-image requests answered from earlier results (seed 002 semantics). */
  readonly cache?: GenerationCache;
  /** Offline image models for source analysis (detected_objects); absent when IMAGEGEN_VISION=off. */
  readonly vision?: VisionPool;
  /** What the /process endpoints need (their input images are resolved like every other). */
  readonly process: Omit<ProcessDeps, "inputImages">;
}

/**
 * ImageService. Every create call is: request → job → one plan (generation-plan.ts: model,
 * routes, prices, refusals) → runner. A check that must refuse before any provider is called
 * (moderation, say) belongs between the plan and `deps.runner.run`.
 */
export function registerImageService(router: ConnectRouter, deps: ImageServiceDeps): void {
  const inputImages = inputImageDepsFromEnv(deps.images);
  router.service(ImageService, {
    async textToImage(req, ctx) {
      const principal = principalOf(ctx);
      const prefs = await deps.profiles.preferences(principal.owner);
      // Resolved (and the key's model scope checked) before the cache: a hit must not let a
      // narrower key read what a wider key of the same owner made.
      const target = resolveTarget(deps.planner, principal, {
        ...req,
        defaultModel: () => prefs.defaultModel || deps.planner.catalog.defaultModelId(),
      });
      const cacheKey =
        deps.cache && textToImageCacheKey(req, { model: target.model.id, defaultSize: prefs.defaultSize });
      const hit = cacheKey && (await deps.cache?.lookup(principal.owner, cacheKey));
      if (hit) {
        imagegenMetrics().cacheHits.add(1, { "gen_ai.request.model": target.model.id });
        noteOnActiveSpan("imagegen.cache_hit", { "imagegen.generation_id": hit.id });
        announceProviderDuration(ctx.responseHeader, hit);
        return hit;
      }
      const plan = planRoutes(deps.planner, target, "text-to-image", textToImageJob(req, parseSize(prefs.defaultSize)));
      const generation = await deps.runner.run(plan, {
        ...runRequest(deps, ctx, req),
        idempotency: idempotencyClaimOf(ctx.requestHeader, TextToImageRequestSchema, req),
        // The style hints reach the provider inside the job's prompt; the Generation says what the caller wrote.
        callerPrompt: req.prompt,
      });
      const answer =
        cacheKey && deps.cache ? await deps.cache.remember(principal.owner, cacheKey, generation) : generation;
      announceProviderDuration(ctx.responseHeader, answer);
      return withInlineImages(answer, req.output?.returnType, deps.images);
    },
    async getGeneration(req, ctx) {
      const generation = await deps.runner.snapshot(principalOf(ctx).owner, req.id);
      announceProviderDuration(ctx.responseHeader, generation);
      return generation;
    },
    async imageToImage(req, ctx) {
      const job = await imageToImageJob(req, inputImages);
      const generation = await startImageOperation(
        deps,
        req,
        ctx,
        "image-to-image",
        job,
        idempotencyClaimOf(ctx.requestHeader, ImageToImageRequestSchema, req),
      );
      generation.sourceImage = await sourceImageOf(req.initImage, job, deps.vision, ctx.signal);
      return withInlineImages(generation, req.output?.returnType, deps.images);
    },
    async inpaint(req, ctx) {
      const job = await inpaintJob(req, inputImages);
      const generation = await startImageOperation(
        deps,
        req,
        ctx,
        "inpainting",
        job,
        idempotencyClaimOf(ctx.requestHeader, InpaintRequestSchema, req),
      );
      for (const image of generation.images) {
        if (!job.mask) break;
        const coverage = await maskCoverage(job.mask.data, image.width, image.height);
        image.maskAreaPercentage = coverage.percentage;
        image.inpaintedRegions = coverage.region ? [create(RegionSchema, coverage.region)] : [];
      }
      return withInlineImages(generation, req.output?.returnType, deps.images);
    },
    async createVariations(req, ctx) {
      const job = await variationJob(req, inputImages);
      const generation = await startImageOperation(
        deps,
        req,
        ctx,
        "variation",
        job,
        idempotencyClaimOf(ctx.requestHeader, CreateVariationsRequestSchema, req),
      );
      generation.sourceImage = await sourceImageOf(req.image, job, deps.vision, ctx.signal);
      return withInlineImages(generation, req.output?.returnType, deps.images);
    },
    ...generationLifecycle(deps),
    ...processHandlers({ ...deps.process, inputImages }),
  });
}

/**
 * `output.return_type: base64` puts each image's bytes inline in the create call's answer (the
 * URLs stay); a generation still running has none yet, and later polls return URLs only.
 */
async function withInlineImages(
  generation: Generation,
  returnType: ReturnType | undefined,
  images: ImageStore,
): Promise<Generation> {
  if (returnType !== ReturnType.BASE64) return generation;
  for (const image of generation.images) {
    const path = images.ownPath(image.url);
    if (path) image.base64 = (await images.read(path)).toString("base64");
  }
  return generation;
}

/** Runs an image operation like TextToImage: same plan, runner, limits, store, webhooks and metering. */
async function startImageOperation(
  deps: ImageServiceDeps,
  req: { model: string; metadata?: TextToImageRequest["metadata"]; webhookUrl: string },
  ctx: HandlerContext,
  operation: string,
  job: Job,
  idempotency: IdempotencyClaim | undefined,
) {
  const principal = principalOf(ctx);
  // Read before planning (which is synchronous), and only when the request names no model.
  const fallback = req.model ? "" : await defaultModel(deps, principal.owner);
  const plan = planGeneration(
    deps.planner,
    principal,
    { model: req.model, defaultModel: () => fallback },
    operation,
    job,
  );
  return deps.runner.run(plan, { ...runRequest(deps, ctx, req), idempotency });
}

/** The caller's saved default model, else the catalog's. */
async function defaultModel(deps: ImageServiceDeps, owner: string): Promise<string> {
  return (await deps.profiles.preferences(owner)).defaultModel || deps.planner.catalog.defaultModelId();
}

/** The parts of a run every create call fills the same way. */
function runRequest(
  deps: ImageServiceDeps,
  ctx: HandlerContext,
  req: { metadata?: TextToImageRequest["metadata"]; webhookUrl: string },
): RunRequest {
  return {
    principal: principalOf(ctx),
    metadataJson: metadataJson(req.metadata),
    waitMs: waitMsFor(ctx.requestHeader.get("prefer"), deps.syncWaitMs),
    headers: propagatedHeaders(ctx),
    webhookUrl: req.webhookUrl || undefined,
    quota: ctx.values.get(requestQuotaKey),
  };
}

function textToImageJob(req: TextToImageRequest, defaultSize: { width: number; height: number } | undefined) {
  const p = req.parameters;
  return {
    operation: Operation.TEXT_TO_IMAGE,
    prompt: composePrompt(req.prompt, req.style),
    negativePrompt: req.negativePrompt,
    width: p?.width ?? defaultSize?.width ?? 1024,
    height: p?.height ?? defaultSize?.height ?? 1024,
    numOutputs: p?.numOutputs ?? 1,
    // A seed is always chosen here, so every image can be reproduced from its record.
    seed: p?.seed ?? randomSeed(),
    steps: p?.numInferenceSteps,
    guidance: p?.guidanceScale,
    outputFormat: toProviderFormat(req.output?.format ?? ImageFormat.PNG),
    quality: req.output?.quality,
    scheduler: p?.scheduler ?? "",
    sampler: p?.sampler ?? "",
    strength: undefined,
    scale: 0,
    generationId: "",
    foregroundThreshold: undefined,
    edgeSmoothing: false,
  };
}

/** "1024x768" → its numbers; anything else → undefined (preferences are validated on save). */
function parseSize(size: string): { width: number; height: number } | undefined {
  const match = /^(\d+)x(\d+)$/.exec(size);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

function metadataJson(metadata: TextToImageRequest["metadata"]): string {
  if (!metadata) return "";
  const json = JSON.stringify(metadata);
  if (Buffer.byteLength(json) > MAX_METADATA_BYTES) {
    throw apiError(ErrorReason.INVALID_REQUEST, `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`, {
      fieldViolations: [
        { field: "metadata", description: `at most ${MAX_METADATA_BYTES} bytes`, rule: "metadata.max_bytes" },
      ],
    });
  }
  return json;
}

function propagatedHeaders(ctx: HandlerContext): Headers {
  const headers = new Headers();
  for (const name of PROPAGATED) {
    const value = ctx.requestHeader.get(name);
    if (value) headers.set(name, value);
  }
  return headers;
}

/**
 * Seed 004's source_image: the URL as given (not a data: URL) and what we measured on the image.
 * `signal`: the call's; a caller who gave up leaves the vision models' queue at once.
 */
async function sourceImageOf(given: string, job: Job, vision: VisionPool | undefined, signal: AbortSignal) {
  return create(SourceImageSchema, {
    url: /^https?:/.test(given) ? given : "",
    analysis: {
      dominantColors: job.initImage ? await dominantColors(job.initImage.data) : [],
      detectedObjects: await detectSourceObjects(vision, job.initImage?.data, signal),
    },
  });
}
