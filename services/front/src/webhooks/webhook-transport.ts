import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { apiError, ErrorReason } from "@imagegen/errors";
import type { WebhookTransport } from "./webhook-dispatcher.ts";

/**
 * Webhook targets must be public http(s) endpoints: loopback, private, link-local and
 * metadata addresses are refused unless the host is in IMAGEGEN_FETCH_ALLOW_HOSTS (tests,
 * internal receivers an operator trusts). Redirects are never followed, so a receiver cannot
 * bounce a delivery to an internal address.
 */
export async function checkWebhookUrl(raw: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused("webhook url is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw refused("webhook url must be http or https");
  if (allowedHosts().has(url.host) || allowedHosts().has(url.hostname)) return;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw refused(`webhook host ${url.hostname} does not resolve`);
  if (addresses.some(isInternal)) throw refused("webhook url must resolve to a public address");
}

/** Sends one delivery after re-checking its target (DNS may have changed since registration). */
export const webhookTransport: WebhookTransport = async (url, init) => {
  await checkWebhookUrl(url);
  const res = await fetch(url, { method: "POST", headers: init.headers, body: init.body, signal: init.signal, redirect: "manual" });
  await res.body?.cancel();
  return res.status;
};

function allowedHosts(): Set<string> {
  return new Set((process.env.IMAGEGEN_FETCH_ALLOW_HOSTS ?? "").split(",").map((h) => h.trim()).filter(Boolean));
}

function refused(message: string) {
  return apiError(ErrorReason.INVALID_REQUEST, message, { fieldViolations: [{ field: "url", description: message, rule: "url.public" }] });
}

function isInternal(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split(".").map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = address.toLowerCase();
  return v6 === "::" || v6 === "::1" || v6.startsWith("fc") || v6.startsWith("fd") || v6.startsWith("fe80") || v6.startsWith("ff");
}
