import { create } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  ModelDetailSchema,
  ModelSchema,
  type Model,
  type ModelDetail,
} from "@imagegen/proto/imagegen/v1/model_service_pb";
import {
  ModelLimitsSchema,
  Operation,
  ProviderModelSchema,
  type ProviderModel,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { ProviderDirectory } from "../providers/provider-directory.ts";
import { ModelPerformance } from "./model-performance.ts";
import { supportedSizes } from "./supported-sizes.ts";
import type { CatalogConfig, ModelConfig, RouteConfig, UseCaseConfig } from "./catalog-config.ts";

/**
 * What a model served by its offline stand-in says of itself in the catalog: which local model
 * answers in its place, by the name that model declares (its provider says what it is).
 */
export function standInReason(declared: ProviderModel): string {
  return `offline stand-in: served by the local provider's ${declared.id} model, ${declared.displayName}, because no provider of this model is configured`;
}

/** "owner/name" or "owner/name:<64-hex version>", Replicate's model id forms. */
const REPLICATE_MODEL_ID = /^[a-z0-9][\w.-]{0,63}\/[a-z0-9][\w.-]{0,99}(:[0-9a-f]{64})?$/i;

/** A route that can serve now, with what its provider declares about the model. */
export interface UsableRoute {
  readonly route: RouteConfig;
  readonly declared: ProviderModel;
  /** True when this is the model's offline stand-in, not one of its real routes. */
  readonly standIn: boolean;
}

/**
 * The declaration narrowed to `names` (public operation names): a stand-in does for a model only
 * what that model does, whatever else the renderer could.
 */
function onlyOperations(declared: ProviderModel, names: readonly string[]): ProviderModel {
  const limits =
    declared.limits &&
    create(ModelLimitsSchema, {
      ...declared.limits,
      operations: declared.limits.operations.filter((o) => names.includes(OPERATION_NAMES[o])),
    });
  return create(ProviderModelSchema, { ...declared, limits });
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

  /** Measured generation and queue times per model (seed 004's `performance`). */
  readonly performance: ModelPerformance;

  constructor(config: CatalogConfig, providers: ProviderDirectory, performance = new ModelPerformance(async () => [])) {
    this.config = config;
    this.providers = providers;
    this.performance = performance;
  }

  /** The model a request without one gets: the first default that a real route can serve. */
  defaultModelId(): string {
    const usable = this.config.defaultModels.find((id) => this.usableRoutes(id).some((r) => !r.standIn));
    return usable ?? this.config.defaultModels[0] ?? [...this.config.models.keys()][0] ?? "local";
  }

  /** The configured use case of that name (model, optional provider pin), if any. */
  useCase(name: string): UseCaseConfig | undefined {
    return this.config.useCases.find((u) => u.name === name);
  }

  /**
   * The model a request pinned to `provider` gets when it names none: the first catalog
   * text-to-image model the provider can serve now, else the first it has a route for (so the
   * pin can say why the provider cannot serve). NOT_FOUND for a provider the config lacks.
   */
  defaultModelFor(provider: string): string {
    if (!this.knowsProvider(provider)) {
      throw apiError(ErrorReason.NOT_FOUND, `provider "${provider}" does not exist`, { metadata: { provider } });
    }
    const candidates = [...this.config.models.values()].filter(
      (m) => m.type === "text-to-image" && m.routes.some((r) => r.provider === provider),
    );
    const usable = candidates.find((m) => this.usableRoutes(m.id).some((r) => r.route.provider === provider));
    const model = usable ?? candidates[0];
    if (!model)
      throw apiError(ErrorReason.NOT_FOUND, `provider "${provider}" serves no text-to-image model`, {
        metadata: { provider },
      });
    return model.id;
  }

  /** True when `providerId` is a provider of the config file (running or not). */
  knowsProvider(providerId: string): boolean {
    return this.config.providers.has(providerId);
  }

  /** The config of a model or NOT_FOUND. */
  require(modelId: string): ModelConfig {
    const model = this.config.models.get(modelId) ?? this.passThrough(modelId);
    if (!model) {
      throw apiError(ErrorReason.NOT_FOUND, `model "${modelId}" does not exist; GET /api/v2/models lists them`, {
        metadata: { model: modelId },
      });
    }
    return model;
  }

  /**
   * Routes able to serve `modelId` now, in fallback order. Every one serves that same model;
   * the offline stand-in is the only route, and only while no real route's provider is
   * configured at all (see `standsIn`).
   */
  usableRoutes(modelId: string): UsableRoute[] {
    const catalogued = this.config.models.get(modelId);
    const model = catalogued ?? this.passThrough(modelId);
    if (!model) return [];
    const out: UsableRoute[] = [];
    for (const route of model.routes) {
      if (!this.providers.isUsable(route.provider)) continue;
      // A pass-through model is whatever Replicate serves under that id: its limits are
      // Replicate's to check, so an undeclared one carries none here.
      const declared =
        this.providers.model(route.provider, route.model) ??
        (catalogued ? undefined : create(ProviderModelSchema, { id: route.model, displayName: route.model }));
      if (declared) out.push({ route, declared, standIn: false });
    }
    const standIn = model.offlineStandIn;
    if (out.length === 0 && standIn && this.standsIn(model) && this.providers.isUsable(standIn.provider)) {
      const declared = this.providers.model(standIn.provider, standIn.model);
      if (declared)
        out.push({
          route: standIn,
          declared: onlyOperations(declared, standIn.operations ?? [model.type]),
          standIn: true,
        });
    }
    return out;
  }

  /**
   * True when the model's offline stand-in may serve: none of its real routes' providers has a
   * token in this deployment or ever said it was configured. A configured provider that is
   * failing, rate limited or gone keeps the stand-in out: its caller gets that failure.
   */
  private standsIn(model: ModelConfig): boolean {
    return model.routes.every(
      (r) => !this.config.providers.get(r.provider)?.tokenSet && !this.providers.wasConfigured(r.provider),
    );
  }

  /**
   * A Replicate model id that is not in the catalog ("owner/name" or "owner/name:version", as
   * seed 001 sends them) is served by the replicate provider as is, when the config has one.
   */
  private passThrough(modelId: string): ModelConfig | undefined {
    if (!REPLICATE_MODEL_ID.test(modelId) || !this.config.providers.has("replicate")) return undefined;
    return {
      id: modelId,
      name: modelId,
      description: "",
      version: modelId.includes(":") ? modelId.slice(modelId.indexOf(":") + 1) : "",
      releaseDate: "",
      type: "text-to-image",
      usdPerImage: 0,
      credits: 0,
      supportedSchedulers: [],
      routes: [{ provider: "replicate", model: modelId, usdPerImage: 0, credits: 0 }],
    };
  }

  /** Why a model cannot serve: the first route's problem, phrased for an operator. */
  unavailableReason(model: ModelConfig): string {
    const reasons = model.routes.map((r) => {
      const state = this.providers.get(r.provider);
      if (state?.description && !this.providers.model(r.provider, r.model))
        return `${r.provider}: model ${r.model} not declared`;
      return `${r.provider}: ${this.providers.problem(r.provider) ?? "not usable"}`;
    });
    return reasons.join("; ");
  }

  /**
   * When every route of a model is held back only by open circuits, the seconds until the first
   * trial (a useful Retry-After); undefined when some route is down for a reason time will not fix.
   */
  retryAfterSeconds(model: ModelConfig): number | undefined {
    const waits = model.routes.map((r) => this.providers.retryAfterSeconds(r.provider));
    if (waits.some((w) => w === undefined)) return undefined;
    return Math.min(...(waits as number[]));
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
    const standIn = routes[0]?.standIn === true;
    // The price is the serving route's: a stand-in costs what the offline renderer costs.
    const price = routes[0]?.route ?? model;
    return create(ModelSchema, {
      id: model.id,
      name: model.name,
      version: model.version,
      type: model.type,
      status: routes.length ? "active" : "unavailable",
      statusReason:
        standIn && routes[0] ? standInReason(routes[0].declared) : routes.length ? "" : this.unavailableReason(model),
      capabilities: [...operations].sort().map((o) => OPERATION_NAMES[o]),
      supportedSizes: supportedSizes(first),
      pricing: { perImage: price.usdPerImage, credits: price.credits },
      performance: this.performance.of(model.id),
      providers: standIn ? routes.map((r) => r.route.provider) : model.routes.map((r) => r.provider),
    });
  }

  detail(modelId: string): ModelDetail {
    const model = this.require(modelId);
    const summary = this.summary(model);
    const serving = this.usableRoutes(modelId)[0];
    const limits = serving?.declared.limits;
    const ops = new Set(summary.capabilities);
    // A size default the range itself accepts.
    const defaultSide = limits ? Math.min(Math.max(1024, limits.minSize), limits.maxSize || 1024) : 1024;
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
        // The configured schedulers are the real routes'; the offline stand-in has none.
        supportedSchedulers: serving?.standIn ? [] : [...model.supportedSchedulers],
        inferenceStepsRange: limits.steps ? { min: 10, max: 150, default: 50 } : undefined,
        guidanceScaleRange: limits.guidance ? { min: 1, max: 20, default: 7.5 } : undefined,
        maxOutputs: limits.maxOutputs,
        outputFormats: limits.formats.map((f) => ["unspecified", "png", "jpg", "webp"][f] ?? "png"),
        negativePrompt: limits.negativePrompt,
        seed: limits.seed,
        widthRange: { min: limits.minSize, max: limits.maxSize, default: defaultSide },
        heightRange: { min: limits.minSize, max: limits.maxSize, default: defaultSide },
      },
      supportedSizes: summary.supportedSizes,
      pricing: summary.pricing,
      performance: summary.performance,
      providers: summary.providers,
    });
  }
}
