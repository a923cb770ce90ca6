import { apiError, ErrorReason } from "@imagegen/errors";
import { Worker } from "node:worker_threads";
import { queueForCaller } from "./caller-signal.ts";
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
/** Until a request has been timed, the Retry-After estimate assumes this per request. */
const INITIAL_ESTIMATE_MS = 1_000;

const canceled = () => apiError(ErrorReason.CANCELED, "the image work was canceled: its caller stopped waiting");

type Ok = Extract<WorkerReply, { ok: true }>;
type Unsent = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;

interface Pending {
  readonly request: WorkerRequest;
  readonly resolve: (reply: Ok) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Creates the pool. The worker starts on first use and loads each model on first need, so a
 * process that never analyses an image never pays for the models (~1 GB resident once loaded).
 */
export function createVisionPool(options: VisionPoolOptions = {}): VisionPool {
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const waiting: Pending[] = [];
  let running: { pending: Pending; timer: NodeJS.Timeout; started: number } | undefined;
  let worker: Worker | undefined;
  let nextId = 1;
  let averageMs = INITIAL_ESTIMATE_MS;
  let closed = false;

  function startWorker(): Worker {
    const w = new Worker(new URL("./worker/vision-worker.mjs", import.meta.url), { execArgv: [] });
    // An idle pool must not keep a process (or a test run) alive.
    w.unref();
    // A replaced worker (timed out) may still report; only the current one's fate is the running request's.
    w.on("message", (reply: WorkerReply) => worker === w && settle(reply));
    w.on("error", (error) => {
      if (worker !== w) return;
      worker = undefined;
      fail(apiError(ErrorReason.INTERNAL, `vision worker failed: ${error.message}`));
    });
    w.on("exit", () => {
      if (worker !== w) return;
      worker = undefined;
      fail(apiError(ErrorReason.UNAVAILABLE, "vision worker stopped", { retryAfterSeconds: 1 }));
    });
    return w;
  }

  function pump(): void {
    if (running || closed) return;
    const next = waiting.shift();
    if (!next) return;
    worker ??= startWorker();
    const timer = setTimeout(() => {
      const stuck = worker;
      worker = undefined;
      fail(apiError(ErrorReason.TIMEOUT, `image analysis took longer than ${timeoutMs} ms`));
      void stuck?.terminate();
    }, timeoutMs);
    running = { pending: next, timer, started: performance.now() };
    // A copy we own: a Buffer's slice() is a view, and transferring it would detach the caller's memory.
    const copy = new Uint8Array(next.request.bytes);
    worker.postMessage({ ...next.request, bytes: copy }, [copy.buffer]);
  }

  function settle(reply: WorkerReply): void {
    if (!running || running.pending.request.id !== reply.id) return;
    const { pending, timer, started } = running;
    clearTimeout(timer);
    running = undefined;
    averageMs = averageMs * 0.8 + (performance.now() - started) * 0.2;
    if (reply.ok) pending.resolve(reply);
    else if (reply.kind === "invalid_image") pending.reject(apiError(ErrorReason.INVALID_IMAGE, reply.message));
    else pending.reject(apiError(ErrorReason.INTERNAL, `image analysis failed: ${reply.message}`));
    pump();
  }

  /** Fails the running request (the worker is gone or stuck) and moves on to the next. */
  function fail(error: unknown): void {
    if (!running) return;
    clearTimeout(running.timer);
    const { pending } = running;
    running = undefined;
    pending.reject(error);
    pump();
  }

  function submit(unsent: Unsent, signal: AbortSignal | undefined): Promise<Ok> {
    if (closed) return Promise.reject(apiError(ErrorReason.UNAVAILABLE, "the vision pool is closed"));
    if (waiting.length >= maxQueued && running) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((waiting.length + 1) * averageMs) / 1000));
      return Promise.reject(
        apiError(
          ErrorReason.RATE_LIMITED,
          `image models are busy (${waiting.length} waiting); retry in ${retryAfterSeconds} s`,
          { retryAfterSeconds },
        ),
      );
    }
    const answer = queueForCaller<Ok, Pending>(waiting, signal, canceled, (settle) => ({
      request: { ...unsent, id: nextId++ } as WorkerRequest,
      ...settle,
    }));
    pump();
    return answer;
  }

  return {
    async analyze(bytes, tasks, limits) {
      const reply = await submit({ kind: "analyze", bytes, tasks }, limits?.signal);
      if (!reply.analysis) throw apiError(ErrorReason.INTERNAL, "the vision worker answered without an analysis");
      return reply.analysis;
    },
    async upscale(bytes, options, limits) {
      const reply = await submit({ kind: "upscale", bytes, ...options }, limits?.signal);
      if (!reply.upscaled) throw apiError(ErrorReason.INTERNAL, "the vision worker answered without an image");
      return reply.upscaled;
    },
    get pending() {
      return waiting.length + (running ? 1 : 0);
    },
    async close() {
      closed = true;
      const error = apiError(ErrorReason.UNAVAILABLE, "the vision pool is closed");
      for (const p of waiting.splice(0)) p.reject(error);
      const w = worker;
      worker = undefined;
      fail(error);
      await w?.terminate();
    },
  };
}
