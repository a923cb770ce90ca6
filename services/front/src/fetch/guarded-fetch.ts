import { lookup as dnsLookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, request } from "undici";
import { isForbiddenAddress } from "./address-policy.ts";

/** Why a fetch was refused or failed; the message is safe to show the caller. */
export class FetchRefused extends Error {}

/** Bounds of one guarded fetch. */
export interface GuardedFetchOptions {
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** Whole fetch (all redirects, body included), in milliseconds. */
  readonly timeoutMs: number;
  readonly maxRedirects?: number;
  /** "host" or "host:port" entries an operator allows even on internal addresses. */
  readonly allowHosts?: ReadonlySet<string>;
}

/** IMAGEGEN_FETCH_ALLOW_HOSTS, a comma list of host or host:port. */
export function allowHostsFromEnv(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set(
    (env.IMAGEGEN_FETCH_ALLOW_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
}

/**
 * The one way the front fetches a URL a client gave it (SSRF guard): http(s) only; the host is
 * resolved and every address checked (a literal address is checked as written, after the URL
 * parser normalised decimal/hex/octal forms); the connection goes to the checked address (the
 * agent's own lookup does the check, so DNS cannot change between check and connect); every
 * redirect is re-checked the same way; body size and total time are capped.
 */
export async function guardedFetch(
  raw: string,
  options: GuardedFetchOptions,
): Promise<{ bytes: Buffer; contentType: string }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = parseTarget(raw);
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop++) {
    const allowed = isAllowed(url, options.allowHosts ?? new Set());
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    if (!allowed && isIP(literal) && isForbiddenAddress(literal))
      throw new FetchRefused(`${url.hostname} is not a public address`);
    const agent = new Agent({ connect: { lookup: guardedLookup(allowed) }, connections: 1, pipelining: 0 });
    try {
      const res = await request(url, {
        method: "GET",
        dispatcher: agent,
        signal,
        headers: { accept: "image/*" },
      }).catch((error: unknown) => {
        throw error instanceof FetchRefused ? error : new FetchRefused(describeFailure(error, signal));
      });
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump();
        url = parseTarget(new URL(String(res.headers.location), url).toString());
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new FetchRefused(`the image URL answered HTTP ${res.statusCode}`);
      }
      const bytes = await readCapped(res.body, Number(res.headers["content-length"] ?? NaN), options.maxBytes, signal);
      return { bytes, contentType: String(res.headers["content-type"] ?? "") };
    } finally {
      void agent.close();
    }
  }
  throw new FetchRefused("the image URL redirected too many times");
}

/** The URL if it is one the guard may fetch (http/https, no credentials); FetchRefused otherwise. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchRefused("not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new FetchRefused(`${url.protocol} URLs are not fetched; use http or https`);
  if (url.username || url.password) throw new FetchRefused("URLs with credentials are not fetched");
  return url;
}

/** True when the operator allowed this host (or host:port) even on an internal address. */
export function isAllowed(url: URL, allow: ReadonlySet<string>): boolean {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allow.has(url.hostname.toLowerCase()) || allow.has(`${url.hostname.toLowerCase()}:${port}`);
}

// net.connect's lookup: resolve, refuse if ANY address is internal (a name that mixes public
// and private addresses is a rebinding attempt), and hand back only checked addresses.
export function guardedLookup(allowed: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family as number | undefined }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (addresses.length === 0 || (bad && !allowed)) {
        return callback(new FetchRefused(`${hostname} resolves to a non-public address`), "", 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

async function readCapped(
  body: AsyncIterable<Buffer>,
  declared: number,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  if (declared > maxBytes) throw new FetchRefused(`the image is larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw new FetchRefused(`the image is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  signal.throwIfAborted();
  return Buffer.concat(chunks, size);
}

function describeFailure(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return "fetching the image timed out";
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof FetchRefused) return cause.message;
  return "the image URL could not be fetched";
}
