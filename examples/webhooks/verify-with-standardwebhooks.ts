import { Webhook } from "standardwebhooks";

/**
 * Verifies an imagegen webhook with the `standardwebhooks` package (npm install standardwebhooks)
 * and returns the parsed event; throws WebhookVerificationError on a bad signature or a
 * timestamp more than 5 minutes away. Pass the raw body exactly as received.
 * - "whsec_…" secrets (generated for you, or your default one from
 *   GET /api/v2/webhooks/default/secret) load as they are;
 * - a secret you chose yourself (e.g. "webhook_secret_key_123") is the key's raw bytes: give the
 *   library its UTF-8 bytes with `format: "raw"` (a string there is read one byte per character,
 *   which differs for non-ASCII secrets).
 */
export function verifyImagegenWebhook(secret: string, rawBody: string, headers: Record<string, string>): unknown {
  const webhook = secret.startsWith("whsec_")
    ? new Webhook(secret)
    : new Webhook(new TextEncoder().encode(secret), { format: "raw" });
  return webhook.verify(rawBody, headers);
}
