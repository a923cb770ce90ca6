import { apiError, ErrorReason } from "@imagegen/errors";
import { Worker } from "node:worker_threads";
import { queueForCaller } from "../caller-signal.ts";
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

const canceled = () => apiError(ErrorReason.CANCELED, "background removal was canceled: its caller stopped waiting");

/** Until a request has been timed, the Retry-After estimate assumes this per request (a warm 1024² run). */
const INITIAL_ESTIMATE_MS = 8_000;

interface Pending {
  readonly request: MattingRequest;
  readonly timeoutMs: number;
  readonly resolve: (cutout: Cutout) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The same queue discipline as the analysis pool (vision-pool.ts), in a separate worker: ISNet
 * holds 1-2 GB and runs for seconds, so it must neither share memory with nor block the quick
 * per-image analyses. The worker starts on first use; an idle pool keeps no process alive.
 */
export function createMattingPool(options: MattingPoolOptions = {}): MattingPool {
  const maxQueued = options.maxQueued ?? 2;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const waiting: Pending[] = [];
  let running: { pending: Pending; timer: NodeJS.Timeout; started: number } | undefined;
  let worker: Worker | undefined;
  let nextId = 1;
  let averageMs = INITIAL_ESTIMATE_MS;
  let closed = false;
  /** Workers finishing a run nobody waits for any more, each with what to call once it is stopped. */
  const retiring = new Map<Worker, () => void>();
  const stopped = new Set<Promise<void>>();

  /** Sets a busy worker aside: it is stopped when it answers (or exits), never mid-run. */
  function setAside(w: Worker): void {
    const done: Promise<void> = new Promise<void>((resolve) => retiring.set(w, resolve)).then(() => {
      stopped.delete(done);
    });
    stopped.add(done);
  }

  async function retire(w: Worker): Promise<void> {
    const done = retiring.get(w);
    if (!done) return;
    retiring.delete(w);
    await w.terminate();
    done();
  }

  function startWorker(): Worker {
    const w = new Worker(new URL("./matting-worker.mjs", import.meta.url), { execArgv: [] });
    w.unref();
    // A replaced worker (timed out) may still report; only the current one's fate is the running request's.
    w.on("message", (reply: MattingReply) => {
      if (worker === w) settle(reply);
      // A retired worker (timed out, or the pool closed) is idle now: safe to stop.
      else void retire(w);
    });
    w.on("error", (error) => {
      if (worker !== w) return;
      worker = undefined;
      fail(apiError(ErrorReason.INTERNAL, `background-removal worker failed: ${error.message}`));
    });
    w.on("exit", () => {
      retiring.get(w)?.();
      retiring.delete(w);
      if (worker !== w) return;
      worker = undefined;
      fail(apiError(ErrorReason.UNAVAILABLE, "background-removal worker stopped", { retryAfterSeconds: 1 }));
    });
    return w;
  }

  function pump(): void {
    if (running || closed) return;
    const next = waiting.shift();
    if (!next) return;
    worker ??= startWorker();
    const timer = setTimeout(() => {
      // Not terminated here: stopping a thread while onnxruntime runs in it aborts the whole
      // process. It finishes its run (seconds, beside the fresh worker) and is stopped then.
      if (worker) setAside(worker);
      worker = undefined;
      fail(apiError(ErrorReason.TIMEOUT, `background removal took longer than ${next.timeoutMs} ms`));
    }, next.timeoutMs);
    running = { pending: next, timer, started: performance.now() };
    // A copy we own: transferring a Buffer view would detach the caller's memory.
    const copy = new Uint8Array(next.request.bytes);
    worker.postMessage({ ...next.request, bytes: copy }, [copy.buffer]);
  }

  function settle(reply: MattingReply): void {
    if (!running || running.pending.request.id !== reply.id) return;
    const { pending, timer, started } = running;
    clearTimeout(timer);
    running = undefined;
    averageMs = averageMs * 0.8 + (performance.now() - started) * 0.2;
    if (reply.ok) pending.resolve(reply.cutout);
    else if (reply.kind === "invalid_image") pending.reject(apiError(ErrorReason.INVALID_IMAGE, reply.message));
    else if (reply.kind === "not_installed") pending.reject(apiError(ErrorReason.UNAVAILABLE, reply.message));
    else pending.reject(apiError(ErrorReason.INTERNAL, `background removal failed: ${reply.message}`));
    pump();
  }

  function fail(error: unknown): void {
    if (!running) return;
    clearTimeout(running.timer);
    const { pending } = running;
    running = undefined;
    pending.reject(error);
    pump();
  }

  return {
    removeBackground(bytes, removeOptions, limits) {
      if (closed) return Promise.reject(apiError(ErrorReason.UNAVAILABLE, "the background-removal pool is closed"));
      if (waiting.length >= maxQueued && running) {
        const retryAfterSeconds = Math.max(1, Math.ceil(((waiting.length + 1) * averageMs) / 1000));
        return Promise.reject(
          apiError(
            ErrorReason.RATE_LIMITED,
            `background removal is busy (${waiting.length} waiting); retry in ${retryAfterSeconds} s`,
            { retryAfterSeconds },
          ),
        );
      }
      const bound = Math.min(timeoutMs, limits?.timeoutMs ?? timeoutMs);
      const answer = queueForCaller<Cutout, Pending>(waiting, limits?.signal, canceled, (settle) => ({
        request: { id: nextId++, bytes, options: removeOptions },
        timeoutMs: bound,
        ...settle,
      }));
      pump();
      return answer;
    },
    get pending() {
      return waiting.length + (running ? 1 : 0);
    },
    async close() {
      closed = true;
      const error = apiError(ErrorReason.UNAVAILABLE, "the background-removal pool is closed");
      for (const p of waiting.splice(0)) p.reject(error);
      const w = worker;
      worker = undefined;
      // A busy worker finishes its run first (see the timeout); an idle one stops at once.
      if (w && running) setAside(w);
      else await w?.terminate();
      fail(error);
      await Promise.all(stopped);
    },
  };
}
