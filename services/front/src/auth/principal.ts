import { createContextKey } from "@connectrpc/connect";

/** Who is calling: resolved from the API key by the auth interceptor, read by every handler. */
export interface Principal {
  /** The key's id (safe to log); never the secret. */
  readonly keyId: string;
  /** Resources belong to owners: another owner's resource reads as NOT_FOUND. */
  readonly owner: string;
  readonly admin: boolean;
  readonly tier: string;
}

/** Context slot of the caller; handlers run only after the interceptor filled it. */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "caller principal" });
