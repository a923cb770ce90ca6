import { apiError, ErrorReason } from "@imagegen/errors";
import type { Principal } from "./principal.ts";

/** Refuses a model outside the key's scope (FORBIDDEN: the model exists, the key may not use it). */
export function checkModelScope(principal: Principal, modelId: string): void {
  const allowed = principal.allowedModels ?? [];
  if (allowed.length && !allowed.includes(modelId)) {
    throw apiError(ErrorReason.FORBIDDEN, `this API key may not use model "${modelId}"`, {
      metadata: { model: modelId },
    });
  }
}

/** True when the key may reach `provider` (an empty list allows every provider). */
export function providerInScope(principal: Principal, provider: string): boolean {
  const allowed = principal.allowedProviders ?? [];
  return allowed.length === 0 || allowed.includes(provider);
}

/**
 * The routes of `modelId` the key may reach. When the model has usable routes but none in the
 * key's provider scope the call is FORBIDDEN, not "unavailable": availability is not the issue.
 */
export function routesInScope<R extends { route: { provider: string } }>(
  principal: Principal,
  modelId: string,
  routes: readonly R[],
): R[] {
  const inScope = routes.filter((r) => providerInScope(principal, r.route.provider));
  if (routes.length > 0 && inScope.length === 0) {
    throw apiError(ErrorReason.FORBIDDEN, `this API key may not reach any provider of model "${modelId}"`, {
      metadata: { model: modelId },
    });
  }
  return inScope;
}
