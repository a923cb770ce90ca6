import type { ModelTimings } from "../store/store.ts";

/** The completed generations the averages are taken over: those of the last 24 hours. */
const WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Seed 004's `performance` block, measured: for each model, the mean time its generations that
 * completed in the last 24 hours spent queued (created → dispatched to a provider) and
 * generating (dispatched → completed), read from the store — so every replica reports the same
 * figures and they survive restarts. A model with no such generation has no performance, and
 * the catalog leaves it absent. The figures are re-read at most every `refreshMs`.
 */
export class ModelPerformance {
  private readonly read: (since: number) => Promise<ModelTimings[]>;
  private readonly refreshMs: number;
  private byModel = new Map<string, ModelTimings>();
  private readAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<void>;

  constructor(read: (since: number) => Promise<ModelTimings[]>, refreshMs = 30_000) {
    this.read = read;
    this.refreshMs = refreshMs;
  }

  /**
   * Re-reads the figures when they are older than `refreshMs` (concurrent callers share one
   * query). A store that cannot answer keeps the last figures: they were measured, just older.
   */
  async fresh(now = Date.now()): Promise<void> {
    if (now - this.readAt < this.refreshMs) return;
    this.pending ??= this.read(now - WINDOW_MS)
      .then((rows) => {
        this.byModel = new Map(rows.filter((r) => r.count > 0).map((r) => [r.model, r]));
        this.readAt = now;
      })
      .catch(() => undefined)
      .finally(() => (this.pending = undefined));
    await this.pending;
  }

  /** Mean seconds queued and generating, as last read; undefined until measured. */
  of(modelId: string): { averageGenerationTime: number; queueTime: number } | undefined {
    const t = this.byModel.get(modelId);
    if (!t) return undefined;
    const seconds = (ms: number): number => Math.round(Math.max(0, ms)) / 1000;
    return { averageGenerationTime: seconds(t.generationMs), queueTime: seconds(t.queueMs) };
  }
}
