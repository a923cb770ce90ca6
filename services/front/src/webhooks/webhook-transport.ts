import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { apiError, ErrorReason } from "@imagegen/errors";
import { isForbiddenAddress } from "../fetch/address-policy.ts";
import { allowHostsFromEnv, FetchRefused, isAllowed, parseTarget } from "../fetch/guarded-fetch.ts";
import { guardedPost } from "../fetch/guarded-post.ts";
import type { WebhookTransport } from "./webhook-dispatcher.ts";

/**
 * Webhook targets pass the front's one SSRF guard: checked when registered (so a mistake is a
 * 400 at once) and again, at connect time, on every delivery (DNS may change in between).
 * IMAGEGEN_FETCH_ALLOW_HOSTS lets an operator (or a test) allow an internal receiver.
 */
export async function checkWebhookUrl(raw: string): Promise<void> {
  try {
    const url = parseTarget(raw);
    if (isAllowed(url, allowHostsFromEnv())) return;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.length === 0) throw new FetchRefused(`${url.hostname} does not resolve`);
    if (addresses.some(isForbiddenAddress)) throw new FetchRefused("the webhook url must resolve to a public address");
  } catch (error) {
    const message = error instanceof FetchRefused ? `webhook url refused: ${error.message}` : "webhook url refused";
    throw apiError(ErrorReason.INVALID_REQUEST, message, { fieldViolations: [{ field: "url", description: message, rule: "url.public" }] });
  }
}

/** Sends one delivery through the guard. */
export const webhookTransport: WebhookTransport = (url, init) =>
  guardedPost(url, { headers: init.headers, body: init.body, signal: init.signal, allowHosts: allowHostsFromEnv() });
