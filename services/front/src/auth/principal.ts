import { createContextKey } from "@connectrpc/connect";

/** Who is calling: resolved from the API key by the auth interceptor, read by every handler. */
export interface Principal {
  /** The key's id (safe to log); never the secret. */
  readonly keyId: string;
  /** Resources belong to owners: another owner's resource reads as NOT_FOUND. */
  readonly owner: string;
  readonly admin: boolean;
  readonly tier: string;
  /** Public model ids the key may use; absent or empty = all. */
  readonly allowedModels?: readonly string[];
  /** Provider ids the key may reach; absent or empty = all. */
  readonly allowedProviders?: readonly string[];
  /** Credits per month; absent or 0 = the tier's default. */
  readonly monthlyCreditQuota?: number;
  /**
   * Set when the caller holds an OAuth access token rather than an API key: the app acting, and
   * the scopes the token carries (checked on every RPC by the auth interceptor, token-scope.ts).
   */
  readonly oauth?: { readonly clientId: string; readonly scopes: readonly string[] };
}

/** Context slot of the caller; handlers run only after the interceptor filled it. */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "caller principal" });
