/** Completed generations per model the averages are taken over. */
const WINDOW = 100;

interface Sample {
  readonly queueMs: number;
  readonly generationMs: number;
}

/**
 * Seed 004's `performance` block, measured: for each model, the mean time its last completed
 * generations (at most WINDOW) spent queued (created → dispatched to a provider) and generating
 * (dispatched → completed), as this front replica saw them since it started. A model with no
 * completed generation here has no performance to report, and the catalog leaves it absent.
 */
export class ModelPerformance {
  private readonly samples = new Map<string, Sample[]>();

  record(modelId: string, queueMs: number, generationMs: number): void {
    const list = this.samples.get(modelId) ?? [];
    list.push({ queueMs: Math.max(0, queueMs), generationMs: Math.max(0, generationMs) });
    if (list.length > WINDOW) list.shift();
    this.samples.set(modelId, list);
  }

  /** Mean seconds queued and generating, or undefined until measured. */
  of(modelId: string): { averageGenerationTime: number; queueTime: number } | undefined {
    const list = this.samples.get(modelId);
    if (!list?.length) return undefined;
    const mean = (pick: (s: Sample) => number): number => Math.round((list.reduce((sum, s) => sum + pick(s), 0) / list.length / 1000) * 1000) / 1000;
    return { averageGenerationTime: mean((s) => s.generationMs), queueTime: mean((s) => s.queueMs) };
  }
}
