import { randomBytes } from "node:crypto";
import type { ApiKeyRecord, Store } from "../store/store.ts";
import { hashSecret } from "./key-verifier.ts";

/** The tiers a key may have (seed 004). */
export const TIERS = ["free", "basic", "pro", "enterprise"] as const;

/** What an operator or an admin chooses for a new key. */
export interface NewApiKey {
  readonly owner: string;
  readonly name?: string;
  /** Defaults to "free". */
  readonly tier?: string;
  readonly admin?: boolean;
  readonly allowedModels?: readonly string[];
  readonly allowedProviders?: readonly string[];
  readonly monthlyCreditQuota?: number;
}

/**
 * Creates a key and returns its secret, the only time it exists outside the caller's hands: the
 * store keeps its SHA-256 digest. The secret starts with the key's id so an operator can tell
 * keys apart in a client's config without the store.
 */
export async function createApiKey(
  store: Store,
  input: NewApiKey,
  now = Date.now(),
): Promise<{ key: ApiKeyRecord; secret: string }> {
  const tier = input.tier || "free";
  if (!(TIERS as readonly string[]).includes(tier))
    throw new Error(`unknown tier "${tier}" (one of ${TIERS.join(", ")})`);
  const id = `key_${randomBytes(12).toString("base64url").slice(0, 16)}`;
  const secret = `${id}.${randomBytes(32).toString("base64url")}`;
  const key: ApiKeyRecord = {
    id,
    hashHex: hashSecret(secret).toString("hex"),
    owner: input.owner,
    name: input.name ?? "",
    tier,
    admin: input.admin ?? false,
    allowedModels: [...(input.allowedModels ?? [])],
    allowedProviders: [...(input.allowedProviders ?? [])],
    monthlyCreditQuota: input.monthlyCreditQuota ?? 0,
    createdAt: now,
  };
  await store.insertApiKey(key);
  return { key, secret };
}
