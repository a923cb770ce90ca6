import { create, toJsonString } from "@bufbuild/protobuf";
import { apiError, describeError, ErrorReason } from "@imagegen/errors";
import {
  GenerateRequestSchema,
  type GenerateRequest,
  type OutputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { Logger } from "@imagegen/server-kit";
import type { Principal } from "../auth/principal.ts";
import type { ModelCatalog, UsableRoute } from "../catalog/model-catalog.ts";
import type { ImageStore } from "../images/image-store.ts";
import type { ProviderDirectory } from "../providers/provider-directory.ts";
import type { GenerationRecord, ImageRecord, Store } from "../store/store.ts";
import { checkAgainstLimits } from "./check-limits.ts";
import { probeOutput } from "./probe-output.ts";
import { newId } from "./ids.ts";
import { runProviderJob } from "./run-provider-job.ts";
import { toGenerationMessage } from "./to-message.ts";

export interface GenerationRunnerDeps {
  readonly store: Store;
  readonly images: ImageStore;
  readonly catalog: ModelCatalog;
  readonly providers: ProviderDirectory;
  readonly logger: Logger;
  /** Upper bound of one provider job. */
  readonly providerTimeoutMs: number;
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
  readonly signal: AbortSignal;
  readonly headers: Headers;
}

// Failures worth trying the next route for: the provider, not the request, was the problem.
const RETRYABLE = new Set(["UPSTREAM_UNAVAILABLE", "UPSTREAM_RATE_LIMITED", "UPSTREAM_AUTH", "UPSTREAM_BAD_RESPONSE", "TIMEOUT"]);

/**
 * Runs a generation end to end: persist it, dispatch to the first usable route (falling back on
 * provider failures only), store the images in our own store, record cost and outcome.
 */
export class GenerationRunner {
  private readonly deps: GenerationRunnerDeps;

  constructor(deps: GenerationRunnerDeps) {
    this.deps = deps;
  }

  async run(input: GenerationInput): Promise<Generation> {
    const { store, catalog } = this.deps;
    const model = catalog.require(input.publicModel);
    const routes = catalog.usableRoutes(model.id);
    if (routes.length === 0) {
      throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `model "${model.id}" is unavailable: ${catalog.unavailableReason(model)}`, {
        metadata: { model: model.id },
      });
    }
    // Refuse what no route can do before anything is persisted or charged.
    const supported = routes.filter((r) => this.fits(input, r));
    if (supported.length === 0) checkAgainstLimits(this.jobFor(input, routes[0] as UsableRoute), routes[0]?.declared.limits, model.id);

    const now = Date.now();
    let record: GenerationRecord = {
      id: newId("gen"),
      owner: input.principal.owner,
      keyId: input.principal.keyId,
      status: "processing",
      operation: input.operation,
      model: model.id,
      provider: supported[0]?.route.provider ?? "",
      prompt: input.job.prompt,
      requestJson: toJsonString(GenerateRequestSchema, create(GenerateRequestSchema, { ...input.job, initImage: undefined, mask: undefined })),
      metadataJson: input.metadataJson,
      createdAt: Math.floor(now / 1000) * 1000,
      costCredits: 0,
      costUsd: 0,
    };
    await store.insertGeneration(record);

    let lastError: unknown;
    for (const route of supported) {
      try {
        const job = this.jobFor(input, route);
        job.generationId = record.id;
        const state = this.deps.providers.get(route.route.provider);
        if (!state) continue;
        const result = await runProviderJob(route.route.provider, state.client, job, {
          signal: input.signal,
          timeoutMs: this.deps.providerTimeoutMs,
          headers: input.headers,
        });
        const images = await this.storeImages(record, result.images);
        record = await store.updateGeneration(record.id, {
          status: "completed",
          provider: route.route.provider,
          completedAt: Math.floor(Date.now() / 1000) * 1000,
          costCredits: model.credits * images.length,
          costUsd: round(model.usdPerImage * images.length),
        });
        return toGenerationMessage(record, images, this.deps.images);
      } catch (error) {
        lastError = error;
        const described = describeError(error);
        if (!RETRYABLE.has(described.row.name)) break;
        this.deps.logger.warn("route failed, trying the next", { generation_id: record.id, provider: route.route.provider, reason: described.row.name });
      }
    }
    const described = describeError(lastError);
    await store.updateGeneration(record.id, {
      status: described.row.name === "CANCELED" ? "canceled" : "failed",
      completedAt: Math.floor(Date.now() / 1000) * 1000,
      errorReason: described.row.name,
      errorMessage: described.message,
    });
    throw lastError;
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

  private async storeImages(record: GenerationRecord, outputs: readonly OutputImage[]): Promise<ImageRecord[]> {
    const images: ImageRecord[] = [];
    for (const [index, output] of outputs.entries()) {
      // Dimensions and format come from the bytes, never from what a provider claims.
      const probed = await probeOutput(output.data, record.provider);
      const id = newId("img");
      const format = probed.format;
      const path = await this.deps.images.put(record.id, id, format, output.data);
      images.push({
        id,
        generationId: record.id,
        owner: record.owner,
        index,
        path,
        width: probed.width,
        height: probed.height,
        sizeBytes: output.data.length,
        format,
        seed: output.seed,
      });
    }
    await this.deps.store.insertImages(images);
    return images;
  }
}

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
