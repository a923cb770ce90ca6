import { createHmac, createPrivateKey, type JsonWebKey } from "node:crypto";

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** A purpose-bound key from the deployment's service secret (HMAC-SHA-256 of the purpose). */
function derive(secret: Buffer, purpose: string): Buffer {
  return createHmac("sha256", secret).update(`imagegen oauth: ${purpose}`).digest();
}

/**
 * The authorization server's keys, derived from the deployment's service secret so that every
 * replica signs cookies and publishes a JWKS the same way without any key store: the cookie
 * signing key, and an Ed25519 key for the JWKS (no token we issue is a JWT; oidc-provider
 * needs one signing key for the ID tokens it would issue to an `openid` request, which we do
 * not offer).
 */
export function oauthKeys(secret: Buffer): { cookieKeys: string[]; jwk: JsonWebKey } {
  const seed = derive(secret, "ed25519 signing key");
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  return { cookieKeys: [derive(secret, "cookie key").toString("base64url")], jwk: key.export({ format: "jwk" }) };
}
