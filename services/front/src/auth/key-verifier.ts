import { createHash, timingSafeEqual } from "node:crypto";
import type { Principal } from "./principal.ts";

/** Hash of a secret as stored: keys are never kept in clear. */
export function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** A key the verifier knows: its hash and who it stands for. */
export interface KnownKey {
  readonly hash: Buffer;
  readonly principal: Principal;
}

/**
 * Resolves a presented secret to its principal, comparing hashes in constant time. Looking up
 * by hash first would leak timing about which prefix matched; comparing every known digest keeps
 * the work independent of the secret.
 */
export function verifyKey(presented: string, known: readonly KnownKey[]): Principal | undefined {
  const digest = hashSecret(presented);
  let found: Principal | undefined;
  for (const key of known) {
    if (timingSafeEqual(digest, key.hash)) found = key.principal;
  }
  return found;
}
