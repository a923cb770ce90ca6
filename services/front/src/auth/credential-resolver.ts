import type { KeyResolver } from "./store-key-verifier.ts";

/**
 * One resolver for every credential a request may carry in `Authorization: Bearer`: an API key
 * first (the common case, one digest lookup), then an OAuth access token. Both read the store on
 * every request, so a revoked key or token is refused from the next request on, on any replica.
 */
export function createCredentialResolver(resolveApiKey: KeyResolver, resolveToken: KeyResolver): KeyResolver {
  return async (presented) => (await resolveApiKey(presented)) ?? (await resolveToken(presented));
}
