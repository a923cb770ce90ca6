import { create } from "@bufbuild/protobuf";
import { apiError, describeError, ErrorReason } from "@imagegen/errors";
import {
  GenerationEventSchema,
  type Generation,
  type GenerationEvent,
} from "@imagegen/proto/imagegen/v1/generation_pb";
import type { Logger } from "@imagegen/server-kit";
import { noteOnActiveSpan } from "@imagegen/telemetry";
import type { ImageStore } from "../images/image-store.ts";
import type { ProviderDirectory } from "../providers/provider-directory.ts";
import type { GenerationRecord, ImageRecord, Store } from "../store/store.ts";
import { discardPartialImages } from "./discard-partial-images.ts";
import type { GenerationPlan, PlannedRoute } from "./generation-plan.ts";
import type { ScreenedFor, ScreenOutputImage } from "../vision/screen-output-image.ts";
import { storeResultFile } from "./result-images.ts";
import { runProviderJob } from "./run-provider-job.ts";
import { toGenerationMessage } from "./to-message.ts";

export interface ExecutionDeps {
  readonly store: Store;
  readonly images: ImageStore;
  readonly providers: ProviderDirectory;
  readonly logger: Logger;
  /** Upper bound of one provider job. */
  readonly providerTimeoutMs: number;
  /** Told of every generation that reached completed or failed (webhooks, metrics). */
  readonly onFinished?: (generation: Generation, owner: string, webhookUrl: string | undefined) => void;
  /** Scores each result image (NSFW) before it is stored, and withholds one the owner's policy refuses. */
  readonly screenImage?: ScreenOutputImage;
}

/** One stored generation running its plan. */
export interface Execution {
  readonly plan: GenerationPlan;
  /** As inserted (dispatched to the first route). */
  readonly record: GenerationRecord;
  /** Whose policy the result images are screened against (owner's nsfw_filter, key's tier). */
  readonly screenedFor: ScreenedFor;
  /** Trace context and request id for the provider calls. */
  readonly headers: Headers;
  readonly webhookUrl?: string;
  /** Aborted by a cancel (here, or noticed from another replica). */
  readonly signal: AbortSignal;
  /** Builds an event only when someone watches. */
  readonly emit: (event: () => GenerationEvent) => void;
}

// Failures worth trying the next route for: the provider, not the request, was the problem.
const RETRYABLE = new Set([
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_AUTH",
  "UPSTREAM_BAD_RESPONSE",
  "TIMEOUT",
]);

const canceledError = () => apiError(ErrorReason.CANCELED, "the generation was canceled");

/**
 * A guarded write found the generation already final: canceled from another replica, or failed
 * by the lease sweeper while this process could not renew its lease. That outcome stands.
 */
class AlreadyFinal extends Error {}

/**
 * Runs a plan's routes in order (falling back on provider failures only, never once a route
 * delivered an image), stores each image as it lands, and records the outcome with guarded
 * writes: completed at the serving route's price, or failed / canceled with nothing charged and
 * nothing kept. Rejects with the failure a waiting caller sees; `recorded` tells afterwards
 * whether the store took an outcome (if not, the lease sweeper will fail the generation).
 */
export class PlanExecution {
  private readonly deps: ExecutionDeps;
  private readonly run: Execution;
  private record: GenerationRecord;
  private readonly images: ImageRecord[] = [];
  /** True once the store took the outcome. */
  recorded = false;
  /** True once the completion's write dropped the generation's lease with it (one commit, not two). */
  leaseReleased = false;
  /**
   * The completion this process wrote, as the store took it, with its images — what a read of the
   * store would give back — as the message the finish hooks were given: the waiting caller is
   * answered with it, without a read or a second message. Read-only, as every answer is.
   */
  completed?: Generation;

  constructor(deps: ExecutionDeps, run: Execution) {
    this.deps = deps;
    this.run = run;
    this.record = run.record;
  }

  async execute(): Promise<void> {
    // Inserted already dispatched to the first route (generation-runner.ts): the queued moment
    // before that is what watchers are told first.
    this.announce("queued", undefined, { ...this.record, status: "queued", dispatchedAt: undefined });
    let lastError: unknown;
    for (const [index, route] of this.run.plan.routes.entries()) {
      try {
        await this.serve(route, index === 0);
        return;
      } catch (error) {
        // Someone else recorded the outcome (and told the webhooks): only settle this side.
        if (error instanceof AlreadyFinal) return this.settle(error, false);
        const canceled = this.run.signal.aborted;
        lastError = canceled ? canceledError() : error;
        if (canceled) break;
        const reason = describeError(error).row.name;
        this.deps.providers.recordOutcome(route.route.provider, RETRYABLE.has(reason));
        // Images already stored belong to this route's partial result: never mix routes.
        if (this.images.length > 0 || !RETRYABLE.has(reason)) break;
        this.deps.logger.warn("route failed, trying the next", {
          generation_id: this.record.id,
          provider: route.route.provider,
          reason,
        });
        noteOnActiveSpan("imagegen.fallback", { "imagegen.provider": route.route.provider, "error.type": reason });
      }
    }
    await this.fail(lastError ?? apiError(ErrorReason.MODEL_NOT_AVAILABLE, "no provider could serve"));
  }

  /** `first`: the route the generation was inserted as dispatched to, with no write of its own. */
  private async serve(route: PlannedRoute, first: boolean): Promise<void> {
    const { store } = this.deps;
    const state = this.deps.providers.get(route.route.provider);
    if (!state) throw apiError(ErrorReason.UPSTREAM_UNAVAILABLE, `provider ${route.route.provider} is gone`);
    if (!first || this.record.provider !== route.route.provider) {
      // A fallback's dispatch time ends the time before it (seed 004's measured `performance`).
      this.record = await store.updateGeneration(this.record.id, {
        status: "processing",
        provider: route.route.provider,
        dispatchedAt: Date.now(),
      });
      if (this.record.status !== "processing") throw new AlreadyFinal();
    }
    this.announce("started");
    // Images that came with the job's one answer have nothing to show while it runs: their rows
    // are written with the completion (one commit). Those streamed while it runs are written as
    // they arrive, visible meanwhile.
    const unrecorded: ImageRecord[] = [];
    await runProviderJob(
      route.route.provider,
      state.client,
      { ...route.job, generationId: this.record.id },
      {
        signal: this.run.signal,
        timeoutMs: this.deps.providerTimeoutMs,
        headers: this.run.headers,
        // Streaming only where the job really progresses: a model declared without progress answers in one call.
        unary: state.description?.models.find((m) => m.id === route.job.model)?.limits?.progress === false,
        // A progress event carries the generation as it stands (status, images so far), not its id alone.
        onProgress: (fraction) =>
          this.run.emit(() => {
            const generation = toGenerationMessage(this.record, this.images, this.deps.images);
            generation.progress = fraction;
            return create(GenerationEventSchema, { type: "progress", generation });
          }),
        onImage: async (output, whileRunning) => {
          const nsfwScore = await this.deps.screenImage?.(this.run.screenedFor, output, this.run.signal);
          const stored = await storeResultFile(this.deps, this.record, output, this.images.length, nsfwScore);
          if (whileRunning) await store.insertImages([stored]);
          else unrecorded.push(stored);
          this.images.push(stored);
          this.announce("image", stored);
        },
      },
    );
    this.deps.providers.recordOutcome(route.route.provider, false);
    this.record = await store.updateGeneration(
      this.record.id,
      {
        status: "completed",
        completedAt: Date.now(),
        // The price of the route that served, never the model's list price.
        costCredits: route.route.credits * this.images.length,
        costUsd: roundUsd(route.route.usdPerImage * this.images.length),
      },
      { releaseLease: true, images: unrecorded },
    );
    // Dropped whether this completion applied or lost to a terminal state: an outcome stands either way.
    this.leaseReleased = true;
    // Canceled (or swept) elsewhere while the provider finished: that stands, uncharged.
    if (this.record.status !== "completed") throw new AlreadyFinal();
    this.recorded = true;
    this.completed = toGenerationMessage(this.record, this.images, this.deps.images);
    this.announce("completed");
    this.finished(this.completed);
  }

  /** Records a failure or cancel (uncharged, partial images deleted) and rethrows what the caller sees. */
  private async fail(error: unknown): Promise<void> {
    const described = describeError(error);
    this.record = await this.deps.store.updateGeneration(this.record.id, {
      status: described.row.name === "CANCELED" ? "canceled" : "failed",
      completedAt: Date.now(),
      errorReason: described.row.name,
      errorMessage: described.message,
      costCredits: 0,
      costUsd: 0,
    });
    await this.settle(error, true);
  }

  /**
   * Ends this side from the stored outcome, which is the one that counts: a guarded write that
   * lost to an earlier terminal state (a cancel from another replica, the sweeper, a completion
   * whose answer was lost) leaves that state. `own`: this process wrote it, so it tells the hooks.
   */
  private async settle(error: unknown, own: boolean): Promise<void> {
    this.recorded = true;
    const outcome =
      this.record.status === "completed" || this.record.status === "canceled" ? this.record.status : "failed";
    if (outcome !== "completed" && this.images.length > 0) {
      // A partial result is neither shown nor counted as the owner's storage.
      await discardPartialImages(this.deps.store, this.deps.images, this.record.id).catch((e: unknown) =>
        this.deps.logger.error("could not delete a partial result", { generation_id: this.record.id, error: e }),
      );
      this.images.length = 0;
    }
    this.announce(outcome);
    if (own && outcome !== "canceled") this.finished();
    if (outcome === "completed") return;
    if (outcome === "canceled") throw canceledError();
    throw error instanceof AlreadyFinal || describeError(error).row.name === "CANCELED"
      ? apiError(ErrorReason.GENERATION_FAILED, this.record.errorMessage || "the generation failed")
      : error;
  }

  private announce(type: string, image?: ImageRecord, record: GenerationRecord = this.record): void {
    this.run.emit(() => {
      const generation = toGenerationMessage(record, this.images, this.deps.images);
      return create(GenerationEventSchema, {
        type,
        generation,
        image: image && generation.images.find((i) => i.id === image.id),
      });
    });
  }

  /** Tells the finish hooks (webhooks, uploads); `generation`: the message already built for this outcome. */
  private finished(generation = toGenerationMessage(this.record, this.images, this.deps.images)): void {
    try {
      this.deps.onFinished?.(generation, this.record.owner, this.run.webhookUrl);
    } catch (error) {
      this.deps.logger.error("finish hook failed", { generation_id: this.record.id, error });
    }
  }
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
