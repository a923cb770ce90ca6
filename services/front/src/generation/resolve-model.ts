import { apiError, ErrorReason } from "@imagegen/errors";
import type { ModelCatalog } from "../catalog/model-catalog.ts";

/** Which model a request wants, and which provider it is pinned to (if any). */
export interface ResolvedModel {
  readonly model: string;
  readonly provider?: string;
}

/**
 * Picks the public model of a generation request, in order: the request's own `model`; the
 * operator's choice for its `use_case` (config `use_cases`); the provider's default model when
 * it pins a `provider`; else `fallback()` (the caller's saved default or the catalog default).
 * An explicit `provider` always wins over the use case's.
 */
export function resolveModel(
  catalog: ModelCatalog,
  req: { readonly model: string; readonly provider: string; readonly useCase: string },
  fallback: () => string,
): ResolvedModel {
  if (req.useCase) {
    const useCase = catalog.useCase(req.useCase);
    if (!useCase?.model) {
      throw apiError(ErrorReason.NOT_FOUND, `no model is configured for the use case "${req.useCase}"`, {
        metadata: { use_case: req.useCase },
      });
    }
    return { model: req.model || useCase.model, provider: req.provider || useCase.provider || undefined };
  }
  if (req.provider) return { model: req.model || catalog.defaultModelFor(req.provider), provider: req.provider };
  return { model: req.model || fallback() };
}
