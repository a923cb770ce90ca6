import { Worker } from "node:worker_threads";
import { apiError, ErrorReason } from "@imagegen/errors";
import { queueForCaller } from "./caller-signal.ts";

/** A request to a pool's worker: its id pairs it with the reply; its bytes are sent as a copy. */
export interface QueuedRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
}

/**
 * A worker's reply to the request of the same id. A failure's `kind`: "invalid_image" (the
 * caller's bytes: INVALID_IMAGE), "not_installed" (a model's file is missing: UNAVAILABLE), any
 * other an INTERNAL error.
 */
export type QueueReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly kind: string; readonly message: string };

/** A request without its id (the queue numbers it), kept apart per member of a union. */
export type Unsent<Request> = Request extends unknown ? Omit<Request, "id"> : never;

export interface WorkerQueueOptions<Reply extends QueueReply, Result> {
  readonly workerUrl: URL;
  /** Requests allowed to wait behind the running one; beyond it callers get RATE_LIMITED + Retry-After. */
  readonly maxQueued: number;
  /** Longest one request may run (first use includes loading the models); then TIMEOUT and a fresh worker. */
  readonly timeoutMs: number;
  /** Until a request has been timed, the Retry-After estimate assumes this per request. */
  readonly initialEstimateMs: number;
  /** Names in errors: the work ("image analysis"), the worker ("vision worker"), the pool ("the vision pool"). */
  readonly names: { readonly work: string; readonly worker: string; readonly pool: string };
  /** Said when the queue is full, before "(N waiting)": "image models are busy". */
  readonly busy: string;
  /** The answer to a caller who gave up. */
  readonly canceled: () => unknown;
  /**
   * What becomes of a worker still running when its request timed out or the pool closed:
   * "terminate" stops it at once; "finish" lets it finish its run beside a fresh worker and stops
   * it then (stopping a thread while onnxruntime runs in it aborts the whole process).
   */
  readonly busyWorker: "terminate" | "finish";
  /** A successful reply as the caller's result. */
  readonly toResult: (reply: Extract<Reply, { ok: true }>) => Result;
}

export interface WorkerQueue<Request extends QueuedRequest, Result> {
  /**
   * Queues one request. `limits.timeoutMs`: its own bound when shorter than the pool's (a caller's
   * deadline). `limits.signal`: the caller gave up (caller-signal.ts): a waiting request leaves the
   * queue at once; a running one is answered at once while its run finishes in the worker.
   */
  submit(
    unsent: Unsent<Request>,
    limits?: { readonly timeoutMs?: number; readonly signal?: AbortSignal },
  ): Promise<Result>;
  /** Requests running or waiting now. */
  readonly pending: number;
  /** Stops the worker; pending requests fail with UNAVAILABLE. */
  close(): Promise<void>;
}

interface Pending<Request, Result> {
  readonly request: Request;
  readonly timeoutMs: number;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One worker thread running one request at a time behind a bounded queue: the queue discipline
 * the vision and matting pools share. The worker starts on first use, so a process that never
 * needs the models never pays for them; an idle queue keeps no process alive. A full queue is
 * RATE_LIMITED with a Retry-After from the measured time per request.
 */
export function createWorkerQueue<Request extends QueuedRequest, Reply extends QueueReply, Result>(
  options: WorkerQueueOptions<Reply, Result>,
): WorkerQueue<Request, Result> {
  const { names } = options;
  const waiting: Pending<Request, Result>[] = [];
  let running: { pending: Pending<Request, Result>; timer: NodeJS.Timeout; started: number } | undefined;
  let worker: Worker | undefined;
  let nextId = 1;
  let averageMs = options.initialEstimateMs;
  let closed = false;
  /** Workers finishing a run nobody waits for any more, each with what to call once it is stopped. */
  const retiring = new Map<Worker, () => void>();
  const stopped = new Set<Promise<void>>();

  /** Lets the current worker go: an idle one (or any, "terminate") is stopped at once, a busy one when it answers. */
  async function dropWorker(): Promise<void> {
    const w = worker;
    worker = undefined;
    if (!w) return;
    if (options.busyWorker === "terminate" || !running) await w.terminate();
    else setAside(w);
  }

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
    const w = new Worker(options.workerUrl, { execArgv: [] });
    w.unref();
    // A replaced worker may still report; only the current one's fate is the running request's.
    w.on("message", (reply: Reply) => {
      if (worker === w) settle(reply);
      // A retired worker (its request timed out, or the pool closed) is idle now: safe to stop.
      else void retire(w);
    });
    w.on("error", (error) => {
      if (worker !== w) return;
      worker = undefined;
      fail(apiError(ErrorReason.INTERNAL, `${names.worker} failed: ${error.message}`));
    });
    w.on("exit", () => {
      retiring.get(w)?.();
      retiring.delete(w);
      if (worker !== w) return;
      worker = undefined;
      fail(apiError(ErrorReason.UNAVAILABLE, `${names.worker} stopped`, { retryAfterSeconds: 1 }));
    });
    return w;
  }

  function pump(): void {
    if (running || closed) return;
    const next = waiting.shift();
    if (!next) return;
    worker ??= startWorker();
    const timer = setTimeout(() => {
      void dropWorker();
      fail(apiError(ErrorReason.TIMEOUT, `${names.work} took longer than ${next.timeoutMs} ms`));
    }, next.timeoutMs);
    running = { pending: next, timer, started: performance.now() };
    // A copy we own: transferring a Buffer's view would detach the caller's memory.
    const copy = new Uint8Array(next.request.bytes);
    worker.postMessage({ ...next.request, bytes: copy }, [copy.buffer]);
  }

  function settle(reply: Reply): void {
    if (!running || running.pending.request.id !== reply.id) return;
    const { pending, timer, started } = running;
    clearTimeout(timer);
    running = undefined;
    averageMs = averageMs * 0.8 + (performance.now() - started) * 0.2;
    if (reply.ok) pending.resolve(options.toResult(reply as Extract<Reply, { ok: true }>));
    else pending.reject(failureOf(reply));
    pump();
  }

  function failureOf(reply: Extract<QueueReply, { ok: false }>): unknown {
    if (reply.kind === "invalid_image") return apiError(ErrorReason.INVALID_IMAGE, reply.message);
    if (reply.kind === "not_installed") return apiError(ErrorReason.UNAVAILABLE, reply.message);
    return apiError(ErrorReason.INTERNAL, `${names.work} failed: ${reply.message}`);
  }

  /** Fails the running request (its worker is gone, stuck or closing) and moves on to the next. */
  function fail(error: unknown): void {
    if (!running) return;
    clearTimeout(running.timer);
    const { pending } = running;
    running = undefined;
    pending.reject(error);
    pump();
  }

  return {
    submit(unsent, limits) {
      if (closed) return Promise.reject(apiError(ErrorReason.UNAVAILABLE, `${names.pool} is closed`));
      if (waiting.length >= options.maxQueued && running) {
        const retryAfterSeconds = Math.max(1, Math.ceil(((waiting.length + 1) * averageMs) / 1000));
        return Promise.reject(
          apiError(
            ErrorReason.RATE_LIMITED,
            `${options.busy} (${waiting.length} waiting); retry in ${retryAfterSeconds} s`,
            { retryAfterSeconds },
          ),
        );
      }
      const timeoutMs = Math.min(options.timeoutMs, limits?.timeoutMs ?? options.timeoutMs);
      const answer = queueForCaller<Result, Pending<Request, Result>>(
        waiting,
        limits?.signal,
        options.canceled,
        (settled) => ({ request: { ...unsent, id: nextId++ } as Request, timeoutMs, ...settled }),
      );
      pump();
      return answer;
    },
    get pending() {
      return waiting.length + (running ? 1 : 0);
    },
    async close() {
      closed = true;
      const error = apiError(ErrorReason.UNAVAILABLE, `${names.pool} is closed`);
      for (const p of waiting.splice(0)) p.reject(error);
      const dropped = dropWorker();
      fail(error);
      await Promise.all([dropped, ...stopped]);
    },
  };
}
