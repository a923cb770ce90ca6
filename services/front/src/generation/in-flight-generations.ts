import { EventEmitter } from "node:events";
import type { GenerationEvent } from "@imagegen/proto/imagegen/v1/generation_pb";

/** A generation running in this process: its cancel switch and its event feed. */
interface InFlight {
  readonly abort: AbortController;
  readonly events: EventEmitter;
  readonly done: Promise<void>;
}

/**
 * The generations this process is executing. Watchers subscribe here for live events; a
 * generation running on another replica is followed by polling the store instead.
 */
export class InFlightGenerations {
  private readonly running = new Map<string, InFlight>();

  /**
   * Registers a generation; `execute` runs at once and gets the abort signal and an emit function.
   * An event is built only when someone watches: most generations have no watcher, and building
   * one means a whole Generation message with freshly signed URLs.
   */
  start(
    id: string,
    execute: (signal: AbortSignal, emit: (event: () => GenerationEvent) => void) => Promise<void>,
  ): Promise<void> {
    const abort = new AbortController();
    const events = new EventEmitter();
    events.setMaxListeners(0);
    const emit = (event: () => GenerationEvent): void => {
      if (events.listenerCount("event") > 0) events.emit("event", event());
    };
    const done = execute(abort.signal, emit).finally(() => {
      this.running.delete(id);
      events.emit("end");
    });
    this.running.set(id, { abort, events, done });
    return done;
  }

  /** The ids of every generation running here now. */
  ids(): string[] {
    return [...this.running.keys()];
  }

  has(id: string): boolean {
    return this.running.has(id);
  }

  /** Resolves once the generation running here ends, or after `ms`; at once when it does not run here. */
  async settled(id: string, ms: number): Promise<void> {
    const job = this.running.get(id);
    if (!job) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([job.done.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Cancels a running generation; false when it is not running here. */
  cancel(id: string): boolean {
    const job = this.running.get(id);
    job?.abort.abort(new Error("canceled by the caller"));
    return job !== undefined;
  }

  /** Live events of a generation until it ends; undefined when it is not running here. */
  subscribe(id: string, signal: AbortSignal): AsyncIterable<GenerationEvent> | undefined {
    const job = this.running.get(id);
    if (!job) return undefined;
    return (async function* () {
      const queue: GenerationEvent[] = [];
      let ended = false;
      let wake: (() => void) | undefined;
      const onEvent = (event: GenerationEvent): void => {
        queue.push(event);
        wake?.();
      };
      const onEnd = (): void => {
        ended = true;
        wake?.();
      };
      job.events.on("event", onEvent);
      job.events.once("end", onEnd);
      signal.addEventListener("abort", onEnd, { once: true });
      try {
        while (true) {
          while (queue.length) yield queue.shift() as GenerationEvent;
          if (ended) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        job.events.off("event", onEvent);
        job.events.off("end", onEnd);
      }
    })();
  }

  /** Waits for every running generation (graceful shutdown), at most `ms`. */
  async drain(ms: number): Promise<void> {
    const all = Promise.allSettled([...this.running.values()].map((j) => j.done));
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
  }
}
