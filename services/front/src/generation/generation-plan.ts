import { create } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import { GenerateRequestSchema, type GenerateRequest } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import type { Principal } from "../auth/principal.ts";
import { checkModelScope, routesInScope } from "../auth/scope.ts";
import type { ModelConfig } from "../catalog/catalog-config.ts";
import type { ModelCatalog, UsableRoute } from "../catalog/model-catalog.ts";
import type { ProviderDirectory } from "../providers/provider-directory.ts";
import { checkAgainstLimits } from "./check-limits.ts";
import type { Job } from "./image-jobs.ts";
import { pinToProvider } from "./provider-pin.ts";
import { resolveModel } from "./resolve-model.ts";

/**
 * Turning a request into what will run, in one place: which model (resolve-model.ts), whether
 * the key may use it, the routes that serve it now within the key's provider scope (and pin),
 * each with its provider job, price and declared limits, and the refusals that must come before
 * anything is stored or charged. The runner executes a plan and looks nothing up again.
 */

/** One route of a plan: where the job goes, as that provider's model, at that route's price. */
export interface PlannedRoute extends UsableRoute {
  /** The request as this route's provider gets it (its own model id). */
  readonly job: GenerateRequest;
}

export interface GenerationPlan {
  readonly model: ModelConfig;
  /** "text-to-image", "image-to-image", ... as the generation records it. */
  readonly operation: string;
  /** The job as the request asked for it (without a provider's model id). */
  readonly job: Job;
  /** In fallback order; every one serves the model and accepts the job. Never empty. */
  readonly routes: readonly PlannedRoute[];
  /** Credits an image may cost: the dearest route (admission holds that; the charge is the server's). */
  readonly maxCreditsPerImage: number;
}

/** The model a request asks for, resolved and allowed for its key, before routes are chosen. */
export interface PlanTarget {
  readonly principal: Principal;
  readonly model: ModelConfig;
  /** Serve only through this provider (seed 000's /api/generate/{provider}, a use case's pin). */
  readonly provider?: string;
}

export interface Planner {
  readonly catalog: ModelCatalog;
  readonly providers: ProviderDirectory;
}

/** What a create call names: a model, or a use case or provider pin to find one, or nothing. */
export interface ModelChoice {
  readonly model: string;
  readonly provider?: string;
  readonly useCase?: string;
  /** The model when the request names none: the caller's saved default, else the catalog's. */
  readonly defaultModel: () => string;
}

/**
 * Resolves the model and checks the key may use it (FORBIDDEN otherwise). Split from
 * `planRoutes` only so a cache hit (seed 002) can be answered in between, for an allowed model.
 */
export function resolveTarget(planner: Planner, principal: Principal, choice: ModelChoice): PlanTarget {
  const resolved = resolveModel(
    planner.catalog,
    { model: choice.model, provider: choice.provider ?? "", useCase: choice.useCase ?? "" },
    choice.defaultModel,
  );
  const model = planner.catalog.require(resolved.model);
  checkModelScope(principal, model.id);
  return { principal, model, provider: resolved.provider };
}

/**
 * The routes that will be tried for `job`, or the refusal: MODEL_NOT_AVAILABLE (with
 * Retry-After when only open circuits hold it back), FORBIDDEN for a provider scope that
 * excludes every route, the pin's own refusals, and UNSUPPORTED / INVALID_REQUEST for a job
 * no route accepts.
 */
export function planRoutes(planner: Planner, target: PlanTarget, operation: string, job: Job): GenerationPlan {
  const { catalog, providers } = planner;
  const { model, principal } = target;
  const inScope = routesInScope(principal, model.id, catalog.usableRoutes(model.id));
  const routes = target.provider ? pinToProvider(catalog, providers, model, inScope, target.provider) : inScope;
  if (routes.length === 0) {
    throw apiError(
      ErrorReason.MODEL_NOT_AVAILABLE,
      `model "${model.id}" is unavailable: ${catalog.unavailableReason(model)}`,
      {
        metadata: { model: model.id },
        retryAfterSeconds: catalog.retryAfterSeconds(model),
      },
    );
  }
  const planned = routes.map((r) => ({ ...r, job: create(GenerateRequestSchema, { ...job, model: r.route.model }) }));
  const accepting = planned.filter((r) => accepts(r, model.id));
  // No route takes it: the first route's refusal says why (an operation it lacks, a size, ...).
  if (accepting.length === 0) checkAgainstLimits(planned[0]!.job, planned[0]!.declared.limits, model.id);
  return {
    model,
    operation,
    job,
    routes: accepting,
    maxCreditsPerImage: Math.max(0, ...accepting.map((r) => r.route.credits)),
  };
}

/** Both steps at once, for every request that is not answered from the cache. */
export function planGeneration(
  planner: Planner,
  principal: Principal,
  choice: ModelChoice,
  operation: string,
  job: Job,
): GenerationPlan {
  return planRoutes(planner, resolveTarget(planner, principal, choice), operation, job);
}

function accepts(route: PlannedRoute, modelId: string): boolean {
  try {
    checkAgainstLimits(route.job, route.declared.limits, modelId);
    return true;
  } catch {
    return false;
  }
}
