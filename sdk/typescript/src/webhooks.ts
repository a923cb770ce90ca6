import { WebhookVerificationError } from "./errors.js";
import { webCrypto } from "./web-crypto.js";
import { fromWire } from "./wire-case.js";

/** A webhook delivery's body (seed 004's event payload), camelCase. */
export interface WebhookEvent {
  /** "generation.completed", "generation.failed" or "process.completed". */
  readonly event: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

/** Headers as a Headers object, a Node `IncomingHttpHeaders`, or any name → value record. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Signatures older or newer than this are refused, so a captured delivery cannot be replayed. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Verifies an imagegen webhook the Standard Webhooks way and returns its parsed body: the
 * HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${raw body}` must match one of the
 * `v1,<base64>` entries of `webhook-signature`, and the timestamp must be within 5 minutes. The
 * key of a `whsec_` secret is the base64 after the prefix; any other secret is its UTF-8 bytes.
 * Pass the body exactly as received (string or bytes), never re-serialized JSON.
 * Throws WebhookVerificationError otherwise.
 */
export async function verifyWebhook(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  now = Date.now(),
): Promise<WebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header");
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("webhook-timestamp is not Unix seconds");
  if (Math.abs(now / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS)
    throw new WebhookVerificationError("webhook-timestamp is more than 5 minutes away");
  const body = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const signed = concat(new TextEncoder().encode(`${id}.${timestamp}.`), body);
  const subtle = (await webCrypto()).subtle;
  const key = await subtle.importKey("raw", keyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  for (const entry of signatures.split(" ")) {
    const [version, signature] = entry.split(",", 2);
    if (version !== "v1" || !signature) continue;
    const given = base64Decode(signature);
    // subtle.verify compares in constant time.
    if (given && (await subtle.verify("HMAC", key, given, signed))) {
      return fromWire(JSON.parse(new TextDecoder().decode(body)), undefined) as WebhookEvent;
    }
  }
  throw new WebhookVerificationError("no webhook-signature matches this body and secret");
}

function keyBytes(secret: string): Uint8Array<ArrayBuffer> {
  if (!secret.startsWith("whsec_")) return new TextEncoder().encode(secret);
  const key = base64Decode(secret.slice("whsec_".length));
  if (!key) throw new WebhookVerificationError("a whsec_ secret must continue with base64");
  return key;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(" ") : (value as string | undefined);
  }
  return undefined;
}

function base64Decode(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
