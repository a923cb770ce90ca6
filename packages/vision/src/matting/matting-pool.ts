import { apiError, ErrorReason } from "@imagegen/errors";
import { createWorkerQueue } from "../worker-queue.ts";
import type { MattingReply, MattingRequest } from "./matting-protocol.ts";
import type { Cutout, RemoveBackgroundOptions } from "./remove-background.ts";

export interface MattingPoolOptions {
  /** Requests allowed to wait behind the running one; beyond it callers get RATE_LIMITED + Retry-After. */
  readonly maxQueued?: number;
  /** Longest one request may run (first use includes loading ISNet); then TIMEOUT and a fresh worker. */
  readonly timeoutMs?: number;
}

/** ISNet background removal in its own worker thread behind a bounded queue. */
export interface MattingPool {
  /**
   * `limits.timeoutMs`: this request's own bound when shorter than the pool's (a caller's deadline).
   * `limits.signal`: the caller gave up (its cancel or RPC deadline). A waiting request leaves the
   * queue at once; a running one is answered CANCELED at once while its run finishes in the worker
   * (a thread running onnxruntime cannot be stopped) and the queue moves on after it.
   */
  removeBackground(
    bytes: Uint8Array,
    options: RemoveBackgroundOptions,
    limits?: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
  ): Promise<Cutout>;
  /** Requests running or waiting now. */
  readonly pending: number;
  /** Stops the worker; pending requests fail with UNAVAILABLE. */
  close(): Promise<void>;
}

/**
 * The vision pool's queue discipline (worker-queue.ts) in a worker of its own: ISNet holds 1-2 GB
 * and runs for seconds, so it must neither share memory with nor block the quick per-image
 * analyses. The worker starts on first use; an idle pool keeps no process alive.
 */
export function createMattingPool(options: MattingPoolOptions = {}): MattingPool {
  const queue = createWorkerQueue<MattingRequest, MattingReply, Cutout>({
    workerUrl: new URL("./matting-worker.mjs", import.meta.url),
    maxQueued: options.maxQueued ?? 2,
    timeoutMs: options.timeoutMs ?? 120_000,
    // A warm 1024² run.
    initialEstimateMs: 8_000,
    names: { work: "background removal", worker: "background-removal worker", pool: "the background-removal pool" },
    busy: "background removal is busy",
    canceled: () => apiError(ErrorReason.CANCELED, "background removal was canceled: its caller stopped waiting"),
    // Stopping a thread while onnxruntime runs in it aborts the whole process: a busy worker
    // finishes its run (seconds, beside a fresh one) and is stopped then.
    busyWorker: "finish",
    toResult: (reply) => reply.cutout,
  });
  return {
    removeBackground: (bytes, removeOptions, limits) => queue.submit({ bytes, options: removeOptions }, limits),
    get pending() {
      return queue.pending;
    },
    close: () => queue.close(),
  };
}
