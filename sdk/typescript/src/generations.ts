import type { Generation, GenerationEvent, GenerationStatus, ListGenerationsResponse } from "./generated/contract.js";
import { callOperation, openOperation } from "./call.js";
import { ImageGenError } from "./errors.js";
import { readServerSentEvents } from "./sse.js";
import { sleep, type RequestOptions, type TransportConfig } from "./transport.js";
import { fromWire } from "./wire-case.js";

const TERMINAL: ReadonlySet<GenerationStatus> = new Set(["completed", "failed", "canceled"]);

/** Whether a generation has reached completed, failed or canceled. */
export const isTerminal = (generation: Pick<Generation, "status">): boolean => TERMINAL.has(generation.status);

/** Options of generations.wait. */
export interface WaitOptions extends RequestOptions {
  /** Give up after this long (ImageGenError code TIMEOUT); default 10 minutes. */
  readonly waitTimeoutMs?: number;
}

/** `client.generations`: read, list, cancel, wait for and watch generations. */
export class Generations {
  constructor(private readonly config: TransportConfig) {}

  /** GET /api/v2/generations/{id}: the generation as it stands (pending or finished). */
  get(id: string, options?: RequestOptions): Promise<Generation> {
    return callOperation(this.config, "ImageService_GetGeneration", { params: { id } }, options);
  }

  /** GET /api/v2/generations: one page of yours, newest first. */
  list(
    query: { pageSize?: number; pageToken?: string; status?: GenerationStatus } = {},
    options?: RequestOptions,
  ): Promise<ListGenerationsResponse> {
    return callOperation(this.config, "ImageService_ListGenerations", { query }, options);
  }

  /** POST /api/v2/generations/{id}:cancel — stops a queued or processing one (CONFLICT if finished). */
  cancel(id: string, options?: RequestOptions): Promise<Generation> {
    return callOperation(this.config, "ImageService_CancelGeneration", { params: { id } }, options);
  }

  /**
   * GET /api/v2/generations/{id}:watch as an async iterator of events (`queued`, `started`,
   * `progress`, `image`, then `completed`, `failed` or `canceled`); it ends after the last one.
   * A stream that ends in an `error` event throws ImageGenError.
   */
  async *watch(id: string, options: RequestOptions = {}): AsyncGenerator<GenerationEvent> {
    const response = await openOperation(
      this.config,
      "ImageService_WatchGeneration",
      { params: { id } },
      options,
      "text/event-stream",
    );
    if (!response.body) return;
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const events = readServerSentEvents(response.body);
    for (;;) {
      let next: IteratorResult<{ event: string; data: string }>;
      try {
        next = await events.next();
      } catch (cause) {
        // The body broke off: the caller's abort, or a connection cut mid-stream.
        if (options.signal?.aborted)
          throw new ImageGenError({
            status: 0,
            code: "CANCELED",
            type: "canceled",
            message: "the call was aborted",
            requestId,
            cause,
          });
        throw new ImageGenError({
          status: 0,
          code: "UNAVAILABLE",
          type: "service_unavailable",
          message: `the event stream of ${id} broke off`,
          requestId,
          cause,
        });
      }
      if (next.done) return;
      const json = JSON.parse(next.value.data) as { error?: { code?: string; message?: string } };
      if (next.value.event === "error")
        throw ImageGenError.fromCode(json.error?.code ?? "INTERNAL", json.error?.message ?? "the stream failed", {
          requestId,
        });
      yield fromWire(json, "GenerationEvent") as GenerationEvent;
    }
  }

  /**
   * Resolves with the generation once it is completed, failed or canceled (check `status`),
   * watching its event stream — one request, not polling; a dropped stream is resumed.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<Generation> {
    const timeoutMs = options.waitTimeoutMs ?? 600_000;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = options.signal ? anySignal(options.signal, timeout.signal) : timeout.signal;
    try {
      for (let round = 0; ; round++) {
        try {
          for await (const event of this.watch(id, { ...options, signal })) {
            if (event.generation && isTerminal(event.generation)) return event.generation;
          }
        } catch (error) {
          if (!(error instanceof ImageGenError) || error.code !== "UNAVAILABLE") throw error;
        }
        // The stream ended without a last event (a proxy cut it): look, then watch again.
        const now = await this.get(id, { ...options, signal });
        if (isTerminal(now)) return now;
        await sleep(Math.min(1000 * 2 ** round, 10_000), signal);
      }
    } catch (error) {
      if (timeout.signal.aborted && !options.signal?.aborted) {
        throw ImageGenError.fromCode("TIMEOUT", `generation ${id} did not finish within ${timeoutMs} ms`, {
          status: 0,
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  if (a.aborted || b.aborted) abort();
  a.addEventListener("abort", abort, { once: true });
  b.addEventListener("abort", abort, { once: true });
  return controller.signal;
}
