import { create, toJsonString } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import { GenerateRequestSchema } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { Principal } from "../auth/principal.ts";
import { claimOrReplay, type IdempotencyClaim } from "../idempotency/idempotency.ts";
import type { Lease, LeaseStore } from "../leases/lease-store.ts";
import type { Admit } from "../metering/admission.ts";
import type { QuotaState } from "../metering/quota.ts";
import type { GenerationRecord } from "../store/store.ts";
import type { GenerationPlan } from "./generation-plan.ts";
import { newId } from "./ids.ts";
import type { InFlightGenerations } from "./in-flight-generations.ts";
import { PlanExecution, type ExecutionDeps } from "./plan-execution.ts";
import { toGenerationMessage } from "./to-message.ts";
import type { ScreenOutputImage } from "../vision/screen-output-image.ts";

export interface GenerationRunnerDeps extends ExecutionDeps {
  readonly inFlight: InFlightGenerations;
  /** Leases that let another replica fail a generation whose process died. */
  readonly leases: LeaseStore;
  /** How long a lease lasts without renewal; renewed every third of it. */
  readonly leaseMs: number;
  /** This process's name on its leases. */
  readonly holder: string;
  /** Quota and concurrency checks before a generation is persisted; its result ends the admission. */
  readonly admit?: Admit;
  /** NSFW score of each output before it is stored; throws CONTENT_POLICY to withhold it (vision/). */
  readonly screenImage?: ScreenOutputImage;
}

/** What a create call adds to its plan: who asks, how long they wait, where the result goes. */
export interface RunRequest {
  readonly principal: Principal;
  readonly metadataJson: string;
  /** How long the create call waits for the result before answering with the pending generation. */
  readonly waitMs: number;
  /** Trace context and request id, forwarded to the provider. */
  readonly headers: Headers;
  /** The request's own completion webhook, if any. */
  readonly webhookUrl?: string;
  /** Idempotency-Key (or request_id): a retried create replays the first generation. */
  readonly idempotency?: IdempotencyClaim;
  /** The owner's monthly credits as this request's metering read them (admission reuses them). */
  readonly quota?: QuotaState;
  /** The caller's own prompt, recorded as the Generation's `prompt` when the job's differs (style hints appended). */
  readonly callerPrompt?: string;
}

/**
 * Runs a planned generation (generation-plan.ts): replay it for a repeated idempotency key, or
 * admit it (quota, concurrency), persist it (dispatched) under a lease, and execute the plan in the
 * background (plan-execution.ts). The create call waits up to `waitMs` for the outcome and
 * otherwise returns the pending generation, which keeps running without it.
 */
export class GenerationRunner {
  private readonly deps: GenerationRunnerDeps;

  constructor(deps: GenerationRunnerDeps) {
    this.deps = deps;
  }

  async run(plan: GenerationPlan, request: RunRequest): Promise<Generation> {
    const record = newRecord(plan, request);
    const replayId =
      request.idempotency && (await claimOrReplay(this.deps.store, record.owner, request.idempotency, record.id));
    if (replayId) {
      // A replay waits like the first call would have: a retry after a dropped connection
      // (the edge resends with the same request_id) gets the finished generation, not a 202.
      await this.deps.inFlight.settled(replayId, request.waitMs);
      return this.snapshot(record.owner, replayId);
    }
    const { leases, leaseMs, holder } = this.deps;
    const lease = { generationId: record.id, owner: record.owner, holder };
    const holdLease = () => leases.hold({ ...lease, expiresAt: Date.now() + leaseMs });
    const release = await this.admitAndInsert(record, plan, request, lease);

    let failure: unknown;
    let execution: PlanExecution | undefined;
    // A missed renewal (state store briefly away) is retried at the next beat; the lease only
    // lapses if every beat within leaseMs fails. None once the completion dropped the lease.
    const heartbeat = setInterval(() => {
      if (!execution?.leaseReleased) void holdLease().catch(() => undefined);
    }, leaseMs / 3);
    heartbeat.unref();
    const done = this.deps.inFlight.start(record.id, (signal, emit) => {
      const running = new PlanExecution(this.deps, {
        plan,
        record,
        screenedFor: request.principal,
        headers: request.headers,
        webhookUrl: request.webhookUrl,
        signal,
        emit,
      });
      execution = running;
      return running
        .execute()
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => {
          clearInterval(heartbeat);
          // An outcome the store did not take (it was unreachable) leaves the generation
          // "processing": keep its lease and let it expire, so the sweeper fails it later. A
          // release that fails leaves a lease whose sweep finds the generation already terminal.
          // A completion dropped it in its own write; a failure or cancel releases it here.
          if (running.recorded && !running.leaseReleased) void leases.release(record.id).catch(() => undefined);
          release();
        });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, request.waitMs)))]);
    clearTimeout(timer);
    // A caller that waited sees the failure as an error, with its status; one that did not
    // finds it on the generation.
    if (failure !== undefined) throw failure;
    return execution?.completed ?? this.snapshot(record.owner, record.id);
  }

  /**
   * Admits (quota, concurrency) and persists the generation; if either fails, the admission and
   * the idempotency key are given back so a retry starts clean.
   */
  private async admitAndInsert(
    record: GenerationRecord,
    plan: GenerationPlan,
    request: RunRequest,
    lease: Omit<Lease, "expiresAt">,
  ): Promise<() => void> {
    let release: () => void = () => {};
    try {
      // Admitted at the dearest route that may serve it; charged later at the one that did.
      const admission = {
        principal: request.principal,
        modelId: plan.model.id,
        creditsPerImage: plan.maxCreditsPerImage,
        numOutputs: plan.job.numOutputs,
        quota: request.quota,
      };
      release = (await this.deps.admit?.(admission)) ?? release;
      // The lease is taken with the insert, in its transaction, from the moment of the insert.
      await this.deps.store.insertGeneration(record, { ...lease, expiresAt: Date.now() + this.deps.leaseMs });
      return release;
    } catch (error) {
      release();
      if (request.idempotency)
        await this.deps.store.releaseIdempotencyKey(record.owner, request.idempotency.key, record.id);
      throw error;
    }
  }

  /** The generation as stored now, with signed URLs. */
  async snapshot(owner: string, id: string): Promise<Generation> {
    const record = await this.deps.store.getGeneration(owner, id);
    if (!record) throw apiError(ErrorReason.NOT_FOUND, `generation ${id} not found`);
    return toGenerationMessage(record, await this.deps.store.listImages(id), this.deps.images);
  }
}

/**
 * The generation as inserted: already dispatched to its first route, since execution starts as
 * soon as the insert commits (admission came before it) — one write fewer than queued, then
 * processing. A fallback route records its own dispatch (plan-execution.ts).
 */
function newRecord(plan: GenerationPlan, request: RunRequest): GenerationRecord {
  const now = Date.now();
  return {
    id: newId("gen"),
    owner: request.principal.owner,
    keyId: request.principal.keyId,
    // Usage records which app acted when an OAuth token made the call (absent for API keys).
    ...(request.principal.oauth ? { oauthClientId: request.principal.oauth.clientId } : {}),
    status: "processing",
    operation: plan.operation,
    model: plan.model.id,
    provider: plan.routes[0]?.route.provider ?? "",
    prompt: request.callerPrompt ?? plan.job.prompt,
    // Input images are not kept with the request: they can be large, and they are the caller's.
    requestJson: toJsonString(
      GenerateRequestSchema,
      create(GenerateRequestSchema, { ...plan.job, initImage: undefined, mask: undefined }),
    ),
    metadataJson: request.metadataJson,
    createdAt: now,
    dispatchedAt: now,
    costCredits: 0,
    costUsd: 0,
  };
}
