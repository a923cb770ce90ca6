import { isIP } from "node:net";
import { Agent, request } from "undici";
import { isForbiddenAddress } from "./address-policy.ts";
import { FetchRefused, guardedLookup, isAllowed, parseTarget } from "./guarded-fetch.ts";

/**
 * POSTs to a client-chosen URL (webhook deliveries) under the same guard as guardedFetch: public
 * addresses only, checked at connect time. Redirects are never followed — a receiver cannot
 * bounce a delivery inward — and the response body is discarded. Returns the HTTP status.
 */
export async function guardedPost(
  raw: string,
  options: { headers: Record<string, string>; body: string; signal: AbortSignal; allowHosts: ReadonlySet<string> },
): Promise<number> {
  const url = parseTarget(raw);
  const allowed = isAllowed(url, options.allowHosts);
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  if (!allowed && isIP(literal) && isForbiddenAddress(literal))
    throw new FetchRefused(`${url.hostname} is not a public address`);
  const agent = new Agent({ connect: { lookup: guardedLookup(allowed) }, connections: 1, pipelining: 0 });
  try {
    const res = await request(url, {
      method: "POST",
      dispatcher: agent,
      signal: options.signal,
      headers: options.headers,
      body: options.body,
    });
    await res.body.dump();
    return res.statusCode;
  } finally {
    void agent.close();
  }
}
