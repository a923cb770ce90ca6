import { create } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  ModelDetailSchema,
  ModelSchema,
  type Model,
  type ModelDetail,
} from "@imagegen/proto/imagegen/v1/model_service_pb";
import { Operation, type ProviderModel } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { ProviderDirectory } from "../providers/provider-directory.ts";
import type { CatalogConfig, ModelConfig, RouteConfig } from "./catalog-config.ts";

/** A route that can serve now, with what its provider declares about the model. */
export interface UsableRoute {
  readonly route: RouteConfig;
  readonly declared: ProviderModel;
}

/** Public names of provider operations, as seed 004 writes capabilities. */
export const OPERATION_NAMES: Record<Operation, string> = {
  [Operation.UNSPECIFIED]: "unspecified",
  [Operation.TEXT_TO_IMAGE]: "text-to-image",
  [Operation.IMAGE_TO_IMAGE]: "image-to-image",
  [Operation.INPAINT]: "inpainting",
  [Operation.VARIATION]: "variation",
  [Operation.UPSCALE]: "upscale",
  [Operation.REMOVE_BACKGROUND]: "remove-background",
};

/** The public model catalog: configuration joined with what running providers declare. */
export class ModelCatalog {
  private readonly config: CatalogConfig;
  private readonly providers: ProviderDirectory;

  constructor(config: CatalogConfig, providers: ProviderDirectory) {
    this.config = config;
    this.providers = providers;
  }

  /** The model a request without one gets: the first default that can serve. */
  defaultModelId(): string {
    const usable = this.config.defaultModels.find((id) => this.usableRoutes(id).length > 0);
    return usable ?? this.config.defaultModels[0] ?? [...this.config.models.keys()][0] ?? "local";
  }

  /** The config of a model or NOT_FOUND. */
  require(modelId: string): ModelConfig {
    const model = this.config.models.get(modelId);
    if (!model) {
      throw apiError(ErrorReason.NOT_FOUND, `model "${modelId}" does not exist; GET /api/v2/models lists them`, {
        metadata: { model: modelId },
      });
    }
    return model;
  }

  /** Routes able to serve `modelId` now, in fallback order. */
  usableRoutes(modelId: string): UsableRoute[] {
    const model = this.config.models.get(modelId);
    if (!model) return [];
    const out: UsableRoute[] = [];
    for (const route of model.routes) {
      if (!this.providers.isUsable(route.provider)) continue;
      const declared = this.providers.model(route.provider, route.model);
      if (declared) out.push({ route, declared });
    }
    return out;
  }

  /** Why a model cannot serve: the first route's problem, phrased for an operator. */
  unavailableReason(model: ModelConfig): string {
    const reasons = model.routes.map((r) => {
      const state = this.providers.get(r.provider);
      if (state?.description && !this.providers.model(r.provider, r.model)) return `${r.provider}: model ${r.model} not declared`;
      return `${r.provider}: ${state?.problem ?? "unknown provider"}`;
    });
    return reasons.join("; ");
  }

  list(capability = ""): Model[] {
    return [...this.config.models.values()]
      .map((m) => this.summary(m))
      .filter((m) => capability === "" || m.capabilities.includes(capability));
  }

  private summary(model: ModelConfig): Model {
    const routes = this.usableRoutes(model.id);
    const operations = new Set(routes.flatMap((r) => r.declared.limits?.operations ?? []));
    const first = routes[0]?.declared.limits;
    return create(ModelSchema, {
      id: model.id,
      name: model.name,
      version: model.version,
      type: model.type,
      status: routes.length ? "active" : "unavailable",
      statusReason: routes.length ? "" : this.unavailableReason(model),
      capabilities: [...operations].sort().map((o) => OPERATION_NAMES[o]),
      supportedSizes: (first?.fixedSizes ?? []).map((s) => ({ width: s.width, height: s.height })),
      pricing: { perImage: model.usdPerImage, credits: model.credits },
      providers: model.routes.map((r) => r.provider),
    });
  }

  detail(modelId: string): ModelDetail {
    const model = this.require(modelId);
    const summary = this.summary(model);
    const limits = this.usableRoutes(modelId)[0]?.declared.limits;
    const ops = new Set(summary.capabilities);
    return create(ModelDetailSchema, {
      id: model.id,
      name: model.name,
      description: model.description,
      version: model.version,
      releaseDate: model.releaseDate,
      type: model.type,
      status: summary.status,
      statusReason: summary.statusReason,
      capabilities: {
        textToImage: ops.has("text-to-image"),
        imageToImage: ops.has("image-to-image"),
        inpainting: ops.has("inpainting"),
        variation: ops.has("variation"),
        upscale: ops.has("upscale"),
        removeBackground: ops.has("remove-background"),
      },
      parameters: limits && {
        maxPromptLength: limits.maxPromptLength,
        supportedSchedulers: [...model.supportedSchedulers],
        inferenceStepsRange: limits.steps ? { min: 10, max: 150, default: 50 } : undefined,
        guidanceScaleRange: limits.guidance ? { min: 1, max: 20, default: 7.5 } : undefined,
        maxOutputs: limits.maxOutputs,
        outputFormats: limits.formats.map((f) => ["unspecified", "png", "jpg", "webp"][f] ?? "png"),
        negativePrompt: limits.negativePrompt,
        seed: limits.seed,
        widthRange: { min: limits.minSize, max: limits.maxSize, default: 1024 },
        heightRange: { min: limits.minSize, max: limits.maxSize, default: 1024 },
      },
      supportedSizes: summary.supportedSizes,
      pricing: summary.pricing,
      providers: summary.providers,
    });
  }
}
