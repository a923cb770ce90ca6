import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { apiError, ErrorReason } from "@imagegen/errors";
import { isForbiddenAddress } from "../fetch/address-policy.ts";
import { allowHostsFromEnv, FetchRefused, isAllowed, parseTarget } from "../fetch/guarded-fetch.ts";
import { guardedPost } from "../fetch/guarded-post.ts";
import type { WebhookTransport } from "./webhook-dispatcher.ts";

/** How long the check waits for DNS: a name that does not answer by then is refused, not awaited. */
const RESOLVE_TIMEOUT_MS = 5_000;

/**
 * Webhook targets pass the front's one SSRF guard, whether registered (`url`) or given on one
 * create request (`webhook_url`): checked when they arrive (so a mistake is a 400 at once, naming
 * `field`) and again, at connect time, on every delivery (DNS may change in between).
 * IMAGEGEN_FETCH_ALLOW_HOSTS lets an operator (or a test) allow an internal receiver.
 */
export async function checkWebhookUrl(raw: string, field = "url"): Promise<void> {
  try {
    const url = parseTarget(raw);
    if (isAllowed(url, allowHostsFromEnv())) return;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const addresses = isIP(host) ? [host] : await resolve(host);
    if (addresses.length === 0) throw new FetchRefused(`${url.hostname} does not resolve`);
    if (addresses.some(isForbiddenAddress)) throw new FetchRefused("the webhook url must resolve to a public address");
  } catch (error) {
    const message = error instanceof FetchRefused ? `webhook url refused: ${error.message}` : "webhook url refused";
    throw apiError(ErrorReason.INVALID_REQUEST, message, {
      fieldViolations: [{ field, description: message, rule: "url.public" }],
    });
  }
}

/** Every address of `host`, or none when it does not resolve within the bound. */
async function resolve(host: string): Promise<string[]> {
  const signal = AbortSignal.timeout(RESOLVE_TIMEOUT_MS);
  const timedOut = new Promise<[]>((done) => signal.addEventListener("abort", () => done([]), { once: true }));
  const found = lookup(host, { all: true }).then(
    (all) => all.map((a) => a.address),
    () => [],
  );
  return Promise.race([found, timedOut]);
}

/** Sends one delivery through the guard. */
export const webhookTransport: WebhookTransport = (url, init) =>
  guardedPost(url, { headers: init.headers, body: init.body, signal: init.signal, allowHosts: allowHostsFromEnv() });
