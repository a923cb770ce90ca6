import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Verifies an imagegen webhook (Standard Webhooks): HMAC-SHA256 of
 * `${webhook-id}.${webhook-timestamp}.${raw body}` with your webhook's secret, base64, sent as
 * `webhook-signature: v1,<signature>` (several may be space-separated during secret rotation).
 * Pass the raw body bytes as received — not re-serialized JSON.
 */
export function verifyWebhook(secret: string, headers: Headers, rawBody: string, toleranceSeconds = 300): boolean {
  const id = headers.get("webhook-id");
  const timestamp = Number(headers.get("webhook-timestamp"));
  const signatures = headers.get("webhook-signature");
  if (!id || !Number.isInteger(timestamp) || !signatures) return false;
  // Refuse old (or future) deliveries: a captured request cannot be replayed later.
  if (Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  // "whsec_<base64>" secrets (generated ones) are base64 keys; any other secret is its UTF-8 bytes.
  const key = secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
  const expected = Buffer.from(
    `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${rawBody}`).digest("base64")}`,
  );
  return signatures.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
