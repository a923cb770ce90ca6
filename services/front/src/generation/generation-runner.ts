import { create, toJsonString } from "@bufbuild/protobuf";
import { apiError, describeError, ErrorReason } from "@imagegen/errors";
import {
  GenerateRequestSchema,
  type GenerateRequest,
  type OutputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { GenerationEventSchema, type Generation, type GenerationEvent } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { Logger } from "@imagegen/server-kit";
import { noteOnActiveSpan } from "@imagegen/telemetry";
import type { Principal } from "../auth/principal.ts";
import { checkModelScope, routesInScope } from "../auth/scope.ts";
import { claimOrReplay, type IdempotencyClaim } from "../idempotency/idempotency.ts";
import type { Admit } from "../metering/admission.ts";
import type { ModelConfig } from "../catalog/catalog-config.ts";
import type { ModelCatalog, UsableRoute } from "../catalog/model-catalog.ts";
import type { ImageStore } from "../images/image-store.ts";
import type { ProviderDirectory } from "../providers/provider-directory.ts";
import type { GenerationRecord, ImageRecord, Store } from "../store/store.ts";
import { checkAgainstLimits } from "./check-limits.ts";
import { newId } from "./ids.ts";
import type { LeaseStore } from "../leases/lease-store.ts";
import type { InFlightGenerations } from "./in-flight-generations.ts";
import { probeOutput } from "./probe-output.ts";
import { pinToProvider } from "./provider-pin.ts";
import { runProviderJob } from "./run-provider-job.ts";
import { toGenerationMessage } from "./to-message.ts";
import type { ScreenOutputImage } from "../vision/screen-output-image.ts";

export interface GenerationRunnerDeps {
  readonly store: Store;
  readonly images: ImageStore;
  readonly catalog: ModelCatalog;
  readonly providers: ProviderDirectory;
  readonly inFlight: InFlightGenerations;
  readonly logger: Logger;
  /** Upper bound of one provider job. */
  readonly providerTimeoutMs: number;
  /** Leases that let another replica fail a generation whose process died. */
  readonly leases: LeaseStore;
  /** How long a lease lasts without renewal; renewed every third of it. */
  readonly leaseMs: number;
  /** This process's name on its leases. */
  readonly holder: string;
  /** Told of every generation that reached completed or failed (webhooks, metrics). */
  readonly onFinished?: (generation: Generation, owner: string, webhookUrl: string | undefined) => void;
  /** Quota and concurrency checks before a generation is persisted; its result ends the admission. */
  readonly admit?: Admit;
  /** NSFW score of each output before it is stored; throws CONTENT_POLICY to withhold it (vision/). */
  readonly screenImage?: ScreenOutputImage;
}

/** One generation as the public API asked for it, already translated to the provider contract. */
export interface GenerationInput {
  readonly principal: Principal;
  readonly publicModel: string;
  /** "text-to-image", "image-to-image", ... */
  readonly operation: string;
  /** Everything but `model`, which each route fills in. */
  readonly job: Omit<GenerateRequest, "model" | "$typeName">;
  readonly metadataJson: string;
  /** How long the create call waits for the result before answering with the pending generation. */
  readonly waitMs: number;
  readonly headers: Headers;
  /** The request's own completion webhook, if any. */
  readonly webhookUrl?: string;
  /** Serve only through this provider's route of the model (see provider-pin.ts). */
  readonly provider?: string;
  /** Idempotency-Key (or request_id): a retried create replays the first generation. */
  readonly idempotency?: IdempotencyClaim;
}

// Failures worth trying the next route for: the provider, not the request, was the problem.
const RETRYABLE = new Set(["UPSTREAM_UNAVAILABLE", "UPSTREAM_RATE_LIMITED", "UPSTREAM_AUTH", "UPSTREAM_BAD_RESPONSE", "TIMEOUT"]);

/**
 * Runs a generation end to end: persist it (queued), dispatch it in the background to the first
 * usable route (falling back on provider failures only), store each image in our own store as it
 * lands, record cost and outcome. The create call waits up to `waitMs` for the outcome and
 * otherwise returns the pending generation, which keeps running without it.
 */
export class GenerationRunner {
  private readonly deps: GenerationRunnerDeps;

  constructor(deps: GenerationRunnerDeps) {
    this.deps = deps;
  }

  async run(input: GenerationInput): Promise<Generation> {
    const { store, catalog } = this.deps;
    const model = catalog.require(input.publicModel);
    checkModelScope(input.principal, model.id);
    const all = routesInScope(input.principal, model.id, catalog.usableRoutes(model.id));
    const routes = input.provider ? pinToProvider(catalog, this.deps.providers, model, all, input.provider) : all;
    if (routes.length === 0) {
      throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `model "${model.id}" is unavailable: ${catalog.unavailableReason(model)}`, {
        metadata: { model: model.id },
        retryAfterSeconds: catalog.retryAfterSeconds(model),
      });
    }
    // Refuse what no route can do before anything is persisted or charged.
    const supported = routes.filter((r) => this.fits(input, r));
    if (supported.length === 0) checkAgainstLimits(this.jobFor(input, routes[0] as UsableRoute), routes[0]?.declared.limits, model.id);

    const record: GenerationRecord = {
      id: newId("gen"),
      owner: input.principal.owner,
      keyId: input.principal.keyId,
      status: "queued",
      operation: input.operation,
      model: model.id,
      provider: supported[0]?.route.provider ?? "",
      prompt: input.job.prompt,
      requestJson: toJsonString(GenerateRequestSchema, create(GenerateRequestSchema, { ...input.job, initImage: undefined, mask: undefined })),
      metadataJson: input.metadataJson,
      createdAt: Date.now(),
      costCredits: 0,
      costUsd: 0,
    };
    const replayId = input.idempotency && (await claimOrReplay(store, record.owner, input.idempotency, record.id));
    if (replayId) {
      // A replay waits like the first call would have: a retry after a dropped connection
      // (the edge resends with the same request_id) gets the finished generation, not a 202.
      await this.deps.inFlight.settled(replayId, input.waitMs);
      return this.snapshot(record.owner, replayId);
    }
    const { leases, leaseMs, holder } = this.deps;
    const lease = { generationId: record.id, owner: record.owner, holder };
    const release = await this.admitAndInsert(record, model, input, () => leases.hold({ ...lease, expiresAt: Date.now() + leaseMs }));

    let failure: unknown;
    // A missed renewal (state store briefly away) is retried at the next beat; the lease only
    // lapses if every beat within leaseMs fails.
    const renew = (): void => void leases.hold({ ...lease, expiresAt: Date.now() + leaseMs }).catch(() => undefined);
    const heartbeat = setInterval(renew, leaseMs / 3);
    heartbeat.unref();
    let recorded = false;
    const done = this.deps.inFlight.start(record.id, (signal, emit) =>
      this.execute(record, model, supported, input, signal, emit, () => (recorded = true))
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => {
          clearInterval(heartbeat);
          // An outcome the store did not take (it was unreachable) leaves the generation
          // "processing": keep its lease and let it expire, so the sweeper fails it later. A
          // release that fails leaves a lease whose sweep finds the generation already terminal.
          if (recorded) void leases.release(record.id).catch(() => undefined);
          release();
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, input.waitMs)))]);
    clearTimeout(timer);
    // A caller that waited sees the failure as an error, with its status; one that did not
    // finds it on the generation.
    if (failure !== undefined) throw failure;
    return this.snapshot(record.owner, record.id);
  }

  /**
   * Admits (quota, concurrency) and persists the generation; if either fails, the admission and
   * the idempotency key are given back so a retry starts clean.
   */
  private async admitAndInsert(record: GenerationRecord, model: ModelConfig, input: GenerationInput, holdLease: () => Promise<void>): Promise<() => void> {
    let release: () => void = () => {};
    try {
      const admission = { principal: input.principal, modelId: model.id, creditsPerImage: model.credits, numOutputs: input.job.numOutputs };
      release = (await this.deps.admit?.(admission)) ?? release;
      await holdLease();
      await this.deps.store.insertGeneration(record);
      return release;
    } catch (error) {
      release();
      if (input.idempotency) await this.deps.store.releaseIdempotencyKey(record.owner, input.idempotency.key, record.id);
      throw error;
    }
  }

  /** The generation as stored now, with signed URLs. */
  async snapshot(owner: string, id: string): Promise<Generation> {
    const record = await this.deps.store.getGeneration(owner, id);
    if (!record) throw apiError(ErrorReason.NOT_FOUND, `generation ${id} not found`);
    return toGenerationMessage(record, await this.deps.store.listImages(id), this.deps.images);
  }

  private async execute(
    initial: GenerationRecord,
    model: ModelConfig,
    routes: readonly UsableRoute[],
    input: GenerationInput,
    signal: AbortSignal,
    emit: (event: () => GenerationEvent) => void,
    onRecorded: () => void,
  ): Promise<void> {
    const { store } = this.deps;
    const images: ImageRecord[] = [];
    let record = initial;
    const announce = (type: string, image?: ImageRecord): void =>
      emit(() => {
        const generation = toGenerationMessage(record, images, this.deps.images);
        return create(GenerationEventSchema, { type, generation, image: image && generation.images.find((i) => i.id === image.id) });
      });
    announce("queued");
    let lastError: unknown;
    for (const route of routes) {
      const state = this.deps.providers.get(route.route.provider);
      if (!state) continue;
      try {
        record = await store.updateGeneration(record.id, { status: "processing", provider: route.route.provider });
        announce("started");
        const job = this.jobFor(input, route);
        job.generationId = record.id;
        await runProviderJob(route.route.provider, state.client, job, {
          signal,
          timeoutMs: this.deps.providerTimeoutMs,
          headers: input.headers,
          onProgress: (fraction) => announceProgress(fraction),
          onImage: async (output) => {
            const nsfwScore = await this.deps.screenImage?.(input.principal, output);
            const stored = await this.storeImage(record, output, images.length, nsfwScore);
            images.push(stored);
            announce("image", stored);
          },
        });
        this.deps.providers.recordOutcome(route.route.provider, false);
        record = await store.updateGeneration(record.id, {
          status: "completed",
          completedAt: Date.now(),
          costCredits: model.credits * images.length,
          costUsd: roundUsd(model.usdPerImage * images.length),
        });
        onRecorded();
        announce("completed");
        this.finished(record, images, input.webhookUrl);
        return;
      } catch (error) {
        lastError = signal.aborted ? apiError(ErrorReason.CANCELED, "the generation was canceled") : error;
        const described = describeError(lastError);
        if (!signal.aborted) this.deps.providers.recordOutcome(route.route.provider, RETRYABLE.has(described.row.name));
        // Images already stored belong to this route's partial result: never mix routes.
        if (images.length > 0 || !RETRYABLE.has(described.row.name)) break;
        this.deps.logger.warn("route failed, trying the next", { generation_id: record.id, provider: route.route.provider, reason: described.row.name });
        noteOnActiveSpan("imagegen.fallback", { "imagegen.provider": route.route.provider, "error.type": described.row.name });
      }
    }
    const described = describeError(lastError ?? apiError(ErrorReason.MODEL_NOT_AVAILABLE, "no provider could serve"));
    const canceled = described.row.name === "CANCELED";
    record = await store.updateGeneration(record.id, {
      status: canceled ? "canceled" : "failed",
      completedAt: Date.now(),
      errorReason: described.row.name,
      errorMessage: described.message,
      // Never charged, even if a "completed" write whose answer was lost did commit.
      costCredits: 0,
      costUsd: 0,
    });
    onRecorded();
    announce(canceled ? "canceled" : "failed");
    if (!canceled) this.finished(record, images, input.webhookUrl);
    throw lastError;

    function announceProgress(fraction: number): void {
      emit(() => create(GenerationEventSchema, { type: "progress", generation: { id: initial.id, progress: fraction } }));
    }
  }

  private finished(record: GenerationRecord, images: readonly ImageRecord[], webhookUrl: string | undefined): void {
    try {
      this.deps.onFinished?.(toGenerationMessage(record, images, this.deps.images), record.owner, webhookUrl);
    } catch (error) {
      this.deps.logger.error("finish hook failed", { generation_id: record.id, error });
    }
  }

  private fits(input: GenerationInput, route: UsableRoute): boolean {
    try {
      checkAgainstLimits(this.jobFor(input, route), route.declared.limits, input.publicModel);
      return true;
    } catch {
      return false;
    }
  }

  private jobFor(input: GenerationInput, route: UsableRoute): GenerateRequest {
    return create(GenerateRequestSchema, { ...input.job, model: route.route.model });
  }

  private async storeImage(record: GenerationRecord, output: OutputImage, index: number, nsfwScore: number | undefined): Promise<ImageRecord> {
    // Dimensions and format come from the bytes, never from what a provider claims.
    const probed = probeOutput(output.data, record.provider);
    const id = newId("img");
    const path = await this.deps.images.put(record.id, id, probed.format, output.data);
    const image: ImageRecord = {
      id,
      generationId: record.id,
      owner: record.owner,
      index,
      path,
      width: probed.width,
      height: probed.height,
      sizeBytes: output.data.length,
      format: probed.format,
      seed: output.seed,
      nsfwScore,
    };
    await this.deps.store.insertImages([image]);
    return image;
  }
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
