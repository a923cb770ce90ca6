import { apiError, ErrorReason } from "@imagegen/errors";
import { createWorkerQueue } from "./worker-queue.ts";
import type {
  AnalysisTasks,
  ImageAnalysis,
  UpscaledImage,
  UpscaleFormat,
  WorkerReply,
  WorkerRequest,
} from "./vision-types.ts";

export interface VisionPoolOptions {
  /** Requests allowed to wait behind the running one; beyond it callers get RATE_LIMITED + Retry-After. */
  readonly maxQueued?: number;
  /** Longest one request may run in the worker (first use includes model loading); then TIMEOUT and a fresh worker. */
  readonly timeoutMs?: number;
}

/**
 * `signal`: the caller gave up (its cancel or RPC deadline). A waiting request leaves the queue at
 * once; a running one is answered CANCELED at once while its run finishes in the worker (the models
 * stay loaded for the next) and the queue moves on after it.
 */
export interface CallerLimits {
  readonly signal?: AbortSignal;
}

/** The offline image models, run in one worker thread behind a bounded queue. */
export interface VisionPool {
  /** Runs the asked-for models on one image (PNG, JPEG or WebP bytes). */
  analyze(bytes: Uint8Array, tasks: AnalysisTasks, limits?: CallerLimits): Promise<ImageAnalysis>;
  /** Enlarges one image ×2 or ×4 with ESRGAN-slim (at most SR_MAX_INPUT_PIXELS in). */
  upscale(
    bytes: Uint8Array,
    options: { scale: 2 | 4; format: UpscaleFormat; quality?: number },
    limits?: CallerLimits,
  ): Promise<UpscaledImage>;
  /** Requests running or waiting now. */
  readonly pending: number;
  /** Stops the worker; pending requests fail with UNAVAILABLE. */
  close(): Promise<void>;
}

/** Defaults: one image runs, eight wait (~1-3 s of work at warm-model speeds). */
export const DEFAULT_MAX_QUEUED = 8;
export const DEFAULT_TIMEOUT_MS = 120_000;

type Ok = Extract<WorkerReply, { ok: true }>;

/**
 * Creates the pool. The worker starts on first use and loads each model on first need, so a
 * process that never analyses an image never pays for the models (~1 GB resident once loaded).
 */
export function createVisionPool(options: VisionPoolOptions = {}): VisionPool {
  const queue = createWorkerQueue<WorkerRequest, WorkerReply, Ok>({
    workerUrl: new URL("./worker/vision-worker.mjs", import.meta.url),
    maxQueued: options.maxQueued ?? DEFAULT_MAX_QUEUED,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    initialEstimateMs: 1_000,
    names: { work: "image analysis", worker: "vision worker", pool: "the vision pool" },
    busy: "image models are busy",
    canceled: () => apiError(ErrorReason.CANCELED, "the image work was canceled: its caller stopped waiting"),
    // The models run in TensorFlow.js: a stuck worker can be stopped mid-run.
    busyWorker: "terminate",
    toResult: (reply) => reply,
  });
  return {
    async analyze(bytes, tasks, limits) {
      const reply = await queue.submit({ kind: "analyze", bytes, tasks }, limits);
      if (!reply.analysis) throw apiError(ErrorReason.INTERNAL, "the vision worker answered without an analysis");
      return reply.analysis;
    },
    async upscale(bytes, upscaleOptions, limits) {
      const reply = await queue.submit({ kind: "upscale", bytes, ...upscaleOptions }, limits);
      if (!reply.upscaled) throw apiError(ErrorReason.INTERNAL, "the vision worker answered without an image");
      return reply.upscaled;
    },
    get pending() {
      return queue.pending;
    },
    close: () => queue.close(),
  };
}
