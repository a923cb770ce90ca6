import { trace, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { ConnectError } from "@connectrpc/connect";
import { apiError, describeError, ErrorReason } from "@imagegen/errors";
import { type Dispatcher, type FormData, request as undiciRequest } from "undici";
import { abortError, type Sleep } from "./deadline.ts";
import type { Redactor } from "./redact.ts";
import { responseHeaders, type ResponseHeaders } from "./response-headers.ts";
import { acceptEncodingFor, DecodedTooLarge, decodeContent } from "./content-encoding.ts";
import { followingDispatcher, upstreamDispatcher } from "./upstream-dispatcher.ts";
import { parseRetryAfter, upstreamError, badResponse, type VendorErrorMapper } from "./upstream-errors.ts";

/** One call to the vendor. Exactly one of `path` (relative to the base URL) or `url`. */
export interface UpstreamRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path?: string;
  /** An absolute URL the vendor handed us (a polling URL), followed verbatim. */
  readonly url?: string;
  /** Sends the auth header; default true for `path`, false for `url` unless set. */
  readonly auth?: boolean;
  readonly json?: unknown;
  /** A multipart body; build it with `toFormData` (undici's FormData, which the client sends). */
  readonly form?: FormData;
  readonly headers?: Record<string, string>;
  /** Safe to send twice; default true for GET only. */
  readonly idempotent?: boolean;
  /** Statuses handed back as a response instead of thrown (e.g. a 404 a poll loop tolerates). */
  readonly acceptStatuses?: readonly number[];
  /** Span name suffix, e.g. "create_prediction". */
  readonly operation?: string;
  /** Cap on the answer's size; default 50 MiB. */
  readonly maxBytes?: number;
}

/** A vendor answer, fully read. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly body: Buffer;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON; a non-JSON or empty body is UPSTREAM_BAD_RESPONSE. */
  json<T = unknown>(): T;
}

/** The only way a provider talks to its vendor. */
export interface HttpClient {
  /** Sends one request with auth, deadline and safe retries; non-2xx answers throw our error. */
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  /** The deadline's abort signal every call carries. */
  readonly signal: AbortSignal;
  /** When the RPC's deadline passes (epoch ms), e.g. to size a vendor's own wait or cancel-after. */
  readonly deadlineAt: number;
}

/** How a provider's HTTP client is built (the kit does this per RPC). */
export interface HttpClientOptions {
  readonly provider: string;
  readonly baseUrl: string;
  /** Headers that authenticate us; empty when the provider needs none. */
  readonly authHeaders: Record<string, string>;
  /** Aborted by the RPC deadline or the caller's cancel. */
  readonly signal: AbortSignal;
  /** When the RPC's deadline passes (epoch ms); retries never wait beyond it. */
  readonly deadlineAt: number;
  readonly redact: Redactor;
  readonly mapError?: VendorErrorMapper;
  readonly sleep: Sleep;
  /** Attempts per request at most, including the first; default 3. */
  readonly maxAttempts?: number;
  readonly userAgent?: string;
}

const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
// Errors that mean the request never reached the server: safe to resend even a POST.
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);
const tracer = trace.getTracer("@imagegen/provider-kit");

/** Creates the client a provider uses for one RPC. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const maxAttempts = options.maxAttempts ?? 3;
  return {
    signal: options.signal,
    deadlineAt: options.deadlineAt,
    async request(req) {
      const target = new URL(req.url ?? joinPath(options.baseUrl, req.path ?? "/"));
      const idempotent = req.idempotent ?? req.method === "GET";
      const withAuth = req.auth ?? req.url === undefined;
      // A vendor-supplied URL gets our credentials only on the vendor's own site (BFL's
      // polling_url lives on api.us2.bfl.ai next to api.bfl.ai): never on a foreign host.
      if (withAuth && req.url !== undefined && !sameSite(target, new URL(options.baseUrl))) {
        throw badResponse(options.provider, `a URL on an unexpected host (${target.hostname})`);
      }
      return tracer.startActiveSpan(
        `${options.provider} ${req.operation ?? req.method}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            "http.request.method": req.method,
            "server.address": target.hostname,
            // Never the query: signed URLs carry their signature there.
            "url.full": `${target.origin}${target.pathname}`,
            "gen_ai.system": options.provider,
          },
        },
        async (span) => {
          try {
            const response = await send(target, req, idempotent, withAuth, span.setAttribute.bind(span));
            span.setAttribute("http.response.status_code", response.status);
            return response;
          } catch (error) {
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: error instanceof ConnectError ? options.redact(error.rawMessage) : "error",
            });
            // The error table's reason (UPSTREAM_RATE_LIMITED, TIMEOUT, …): one vocabulary across spans and metrics.
            span.setAttribute("error.type", describeError(error).row.name);
            throw error;
          } finally {
            span.end();
          }
        },
      );
    },
  };

  async function send(
    url: URL,
    req: UpstreamRequest,
    idempotent: boolean,
    withAuth: boolean,
    attr: (key: string, value: number) => unknown,
  ): Promise<UpstreamResponse> {
    for (let attempt = 1; ; attempt++) {
      attr("http.request.resend_count", attempt - 1);
      let response: Dispatcher.ResponseData;
      try {
        response = await undiciRequest(url, {
          method: req.method,
          headers: headersFor(req, url, withAuth),
          body: req.form ?? (req.json === undefined ? undefined : JSON.stringify(req.json)),
          signal: options.signal,
          // A redirect must never carry our credentials to another host; unauthenticated
          // fetches (result downloads) may follow one.
          dispatcher: withAuth ? upstreamDispatcher : followingDispatcher,
        });
      } catch (error) {
        if (options.signal.aborted) throw abortError(options.signal, options.provider);
        const code = errorCode(error);
        const safe = idempotent || NOT_SENT.has(code);
        if (safe && attempt < maxAttempts && (await waitBeforeRetry(250 * 2 ** (attempt - 1)))) continue;
        throw apiError(
          ErrorReason.UPSTREAM_UNAVAILABLE,
          `provider ${options.provider} could not be reached (${code || "network error"})`,
          {
            metadata: { provider: options.provider },
          },
        );
      }
      const status = response.statusCode;
      const headers = responseHeaders(response.headers);
      const body = await readBody(response.body, headers.get("content-encoding"), req.maxBytes ?? DEFAULT_MAX_BYTES);
      const ok = (status >= 200 && status < 300) || req.acceptStatuses?.includes(status);
      if (ok) return toResponse(status, headers, body);
      const retryAfter = parseRetryAfter(headers.get("retry-after"));
      // 429/503 with Retry-After: the vendor refused before doing anything, so resending is safe
      // for any method — but only if the wait still fits in the caller's deadline.
      if ((status === 429 || status === 503) && retryAfter !== undefined && attempt < maxAttempts) {
        if (await waitBeforeRetry(retryAfter * 1000)) continue;
      } else if (idempotent && status >= 500 && attempt < maxAttempts) {
        if (await waitBeforeRetry(250 * 2 ** (attempt - 1))) continue;
      }
      const text = body.toString("utf8");
      const errorResponse = { status, headers, text };
      throw upstreamError({
        provider: options.provider,
        response: errorResponse,
        vendor: safeMap(errorResponse),
        redact: options.redact,
      });
    }
  }

  function safeMap(response: {
    status: number;
    headers: ResponseHeaders;
    text: string;
  }): ReturnType<VendorErrorMapper> {
    try {
      return options.mapError?.(response) ?? {};
    } catch {
      return {};
    }
  }

  // Waits `ms` if that still leaves time before the deadline; false means "do not retry".
  async function waitBeforeRetry(ms: number): Promise<boolean> {
    if (Date.now() + ms >= options.deadlineAt) return false;
    try {
      await options.sleep(ms, options.signal);
    } catch {
      throw abortError(options.signal, options.provider);
    }
    return true;
  }

  // What `fetch` sent besides ours: `accept: */*` and the encodings it decodes, unless the call set
  // them. Names are lower-cased, so a call's "Accept" replaces the default as it did in `Headers`.
  function headersFor(req: UpstreamRequest, url: URL, withAuth: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      accept: "*/*",
      "accept-encoding": acceptEncodingFor(url),
      "user-agent": options.userAgent ?? "imagegen-provider-kit/1",
    };
    for (const name in req.headers) headers[name.toLowerCase()] = req.headers[name] as string;
    if (req.json !== undefined) headers["content-type"] = "application/json";
    if (withAuth) Object.assign(headers, options.authHeaders);
    return headers;
  }

  async function readBody(
    body: Dispatcher.ResponseData["body"],
    contentEncoding: string | null,
    maxBytes: number,
  ): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        if (size > maxBytes) {
          body.destroy();
          throw badResponse(options.provider, `a body larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return await decodeContent(Buffer.concat(chunks), contentEncoding, maxBytes);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      if (error instanceof DecodedTooLarge) throw badResponse(options.provider, `a body larger than ${maxBytes} bytes`);
      if (options.signal.aborted) throw abortError(options.signal, options.provider);
      throw apiError(ErrorReason.UPSTREAM_UNAVAILABLE, `provider ${options.provider} broke off its answer`, {
        metadata: { provider: options.provider },
      });
    }
  }

  function toResponse(status: number, headers: ResponseHeaders, body: Buffer): UpstreamResponse {
    return {
      status,
      headers,
      body,
      text: () => body.toString("utf8"),
      json<T>(): T {
        try {
          return JSON.parse(body.toString("utf8")) as T;
        } catch {
          throw badResponse(options.provider, body.length ? "a body that is not JSON" : "an empty body");
        }
      },
    };
  }
}

/** True when both hosts are equal or share their last two labels (api.bfl.ai ~ api.us2.bfl.ai). */
export function sameSite(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol && !(a.protocol === "https:" && b.protocol === "http:")) return false;
  if (a.hostname === b.hostname) return true;
  const site = (host: string): string | undefined =>
    /^[\d.]+$|:/.test(host) ? undefined : host.split(".").slice(-2).join(".");
  const siteA = site(a.hostname);
  return siteA !== undefined && siteA === site(b.hostname);
}

function joinPath(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

// undici.request throws the socket's or undici's own error (`code`); a wrapped one keeps it as `cause`.
function errorCode(error: unknown): string {
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = failure?.code ?? failure?.cause?.code;
  return typeof code === "string" ? code : "";
}
