import { apiError, ErrorReason } from "@imagegen/errors";
import type { ModelConfig } from "../catalog/catalog-config.ts";
import type { ModelCatalog, UsableRoute } from "../catalog/model-catalog.ts";
import type { ProviderDirectory } from "../providers/provider-directory.ts";

/**
 * Narrows a model's usable routes to one provider, for requests that name it (seed 000's
 * `/api/generate/{provider}`, seed 002's configured use case). The three refusals are distinct
 * so a client can tell a typo (NOT_FOUND) from a model the provider does not serve (UNSUPPORTED)
 * from a deployment without that provider's credentials (PROVIDER_NOT_CONFIGURED).
 */
export function pinToProvider(
  catalog: ModelCatalog,
  providers: ProviderDirectory,
  model: ModelConfig,
  routes: readonly UsableRoute[],
  provider: string,
): UsableRoute[] {
  if (!catalog.knowsProvider(provider)) {
    throw apiError(ErrorReason.NOT_FOUND, `provider "${provider}" does not exist`, { metadata: { provider } });
  }
  if (!model.routes.some((r) => r.provider === provider)) {
    throw apiError(ErrorReason.UNSUPPORTED, `model "${model.id}" is not served by provider "${provider}"`, {
      metadata: { model: model.id, provider },
    });
  }
  const pinned = routes.filter((r) => r.route.provider === provider);
  if (pinned.length === 0) {
    const problem = providers.problem(provider) ?? "not configured";
    // An open circuit is a provider that is failing, not one that was never set up.
    const retryAfterSeconds = providers.retryAfterSeconds(provider);
    const reason =
      retryAfterSeconds === undefined ? ErrorReason.PROVIDER_NOT_CONFIGURED : ErrorReason.UPSTREAM_UNAVAILABLE;
    throw apiError(reason, `provider "${provider}" cannot serve: ${problem}`, {
      metadata: { model: model.id, provider },
      retryAfterSeconds,
    });
  }
  return pinned;
}
