import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { apiError, ErrorReason } from "@imagegen/errors";

/** The shortest key a caller's own "whsec_" secret may decode to (the spec recommends 24-64 bytes). */
const MIN_WHSEC_KEY_BYTES = 16;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `${webhook-id}.${webhook-timestamp}.${body}`, sent as `webhook-signature: v1,<base64>`.
 * A secret written "whsec_<base64>" is the base64-decoded key, as the spec's libraries read it;
 * any other secret (seed 004's example is "webhook_secret_key_123") is used as its UTF-8 bytes.
 */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
}

/** A new secret in the spec's format, for webhooks registered without one. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/**
 * A caller's own secret that claims the "whsec_" form must be one: canonical (padded) base64 of
 * at least 16 bytes after the prefix, or the Standard Webhooks libraries could not load it while
 * we would sign with a leniently decoded key. Any other secret is used as its bytes and needs no
 * check here (its length is a protovalidate rule). The message never repeats the secret.
 */
export function checkGivenSecret(secret: string): void {
  if (!secret.startsWith("whsec_")) return;
  const encoded = secret.slice(6);
  const key = Buffer.from(encoded, "base64");
  if (key.toString("base64") === encoded && key.length >= MIN_WHSEC_KEY_BYTES) return;
  const description = `a secret starting with whsec_ must continue with the standard, padded base64 of at least ${MIN_WHSEC_KEY_BYTES} bytes`;
  throw apiError(ErrorReason.INVALID_REQUEST, `invalid request: secret: ${description}`, {
    fieldViolations: [{ field: "secret", description, rule: "secret.whsec_base64" }],
  });
}

/** The three headers of one delivery attempt; re-signed with a fresh timestamp on every retry. */
export function signWebhook(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const signature = createHmac("sha256", webhookKey(secret))
    .update(`${messageId}.${timestampSeconds}.${body}`)
    .digest("base64");
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}

/**
 * What a receiver does (and what our docs show): recompute, compare in constant time, and refuse
 * timestamps more than `toleranceSeconds` away to stop replays.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const id = headers["webhook-id"];
  const timestamp = Number(headers["webhook-timestamp"]);
  const signatures = headers["webhook-signature"];
  if (!id || !Number.isInteger(timestamp) || !signatures) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body)["webhook-signature"] as string);
  return signatures.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
