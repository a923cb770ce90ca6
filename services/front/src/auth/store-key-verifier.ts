import { timingSafeEqual } from "node:crypto";
import type { ApiKeyRecord, Store } from "../store/store.ts";
import { hashSecret, verifyKey, type KnownKey } from "./key-verifier.ts";
import type { Principal } from "./principal.ts";

/** Resolves a presented secret to its caller, or undefined for an unknown or revoked key. */
export type KeyResolver = (presented: string) => Promise<Principal | undefined>;

/**
 * Bootstrap keys first (compared in constant time against each), then the store, read on every
 * request: no cache, so a revocation written by any replica or the CLI is refused from the next
 * request on. The lookup is by SHA-256 digest, whose value an attacker cannot steer toward a
 * stored one; the digest found is still compared in constant time before it counts.
 */
export function createKeyResolver(store: Store, bootstrap: () => readonly KnownKey[]): KeyResolver {
  return async (presented) => {
    const fromBootstrap = verifyKey(presented, bootstrap());
    if (fromBootstrap) return fromBootstrap;
    const digest = hashSecret(presented);
    const key = await store.findApiKeyByHash(digest.toString("hex"));
    if (!key || key.revokedAt !== undefined) return undefined;
    if (!timingSafeEqual(digest, Buffer.from(key.hashHex, "hex"))) return undefined;
    return principalOfKeyRecord(key);
  };
}

/** The caller a stored key stands for. */
export function principalOfKeyRecord(key: ApiKeyRecord): Principal {
  return {
    keyId: key.id,
    owner: key.owner,
    admin: key.admin,
    tier: key.tier,
    allowedModels: key.allowedModels,
    allowedProviders: key.allowedProviders,
    monthlyCreditQuota: key.monthlyCreditQuota,
  };
}
