import { ERROR_TABLE, type ErrorDetails } from "./generated/contract.js";
import { ImageGenError } from "./errors.js";
import { fromWire } from "./wire-case.js";

/** How the client reaches the API; every field is set (ImageGenClient fills the defaults). */
export interface TransportConfig {
  readonly apiKey: string;
  readonly baseURL: string;
  readonly maxRetries: number;
  readonly maxRetryDelayMs: number;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly headers: Readonly<Record<string, string>>;
}

/** Per-call options every method accepts. */
export interface RequestOptions {
  /** Aborts the call (and any wait between retries): ImageGenError code CANCELED. */
  readonly signal?: AbortSignal;
  /** Your own Idempotency-Key for a create call (default: a new random one per call). */
  readonly idempotencyKey?: string;
  /** Retries on 429/503 for this call (default: the client's maxRetries). */
  readonly maxRetries?: number;
  /** Time bound of each attempt, in ms (default: the client's timeoutMs). */
  readonly timeoutMs?: number;
  /** Extra headers (e.g. `Prefer`, `X-Request-ID`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One HTTP exchange to make. */
export interface Exchange {
  readonly method: string;
  /** Path and query, e.g. "/api/v2/generations?page_size=10". */
  readonly path: string;
  readonly body?: unknown;
  readonly accept?: string;
  /** Set on create calls: sent as Idempotency-Key, the same on every retry. */
  readonly idempotencyKey?: string;
  /** Whether a connection that failed before any answer may be tried again (GET, deduplicated creates). */
  readonly retryOnNetworkError: boolean;
}

/** Statuses that mean "not done, come back later": the server did not act on the call. */
const RETRYABLE_STATUS = new Set([429, 503]);

/**
 * Sends `exchange` and returns the successful Response (any 2xx); every failure is an
 * ImageGenError. 429 and 503 are retried after the server's Retry-After (or a backoff of 0.5 s,
 * 1 s, 2 s, ... with jitter when it gave none), at most `maxRetries` times; a Retry-After longer
 * than `maxRetryDelayMs` is not waited for but thrown, with `retryAfterSeconds` set.
 */
export async function send(
  config: TransportConfig,
  exchange: Exchange,
  options: RequestOptions = {},
): Promise<Response> {
  const maxRetries = options.maxRetries ?? config.maxRetries;
  const headers: Record<string, string> = {
    accept: exchange.accept ?? "application/json",
    authorization: `Bearer ${config.apiKey}`,
    ...config.headers,
    ...options.headers,
  };
  if (exchange.body !== undefined) headers["content-type"] = "application/json";
  if (exchange.idempotencyKey) headers["idempotency-key"] = exchange.idempotencyKey;
  const url = `${config.baseURL.replace(/\/+$/, "")}${exchange.path}`;
  const body = exchange.body === undefined ? undefined : JSON.stringify(exchange.body);

  for (let attempt = 0; ; attempt++) {
    const timeoutMs = options.timeoutMs ?? config.timeoutMs;
    const attemptSignal = linkedSignal(options.signal, timeoutMs);
    let response: Response;
    try {
      response = await config.fetch(url, { method: exchange.method, headers, body, signal: attemptSignal.signal });
    } catch (cause) {
      attemptSignal.done();
      if (options.signal?.aborted)
        throw new ImageGenError({
          status: 0,
          code: "CANCELED",
          type: "canceled",
          message: "the call was aborted",
          cause,
        });
      const timedOut = attemptSignal.timedOut();
      if (exchange.retryOnNetworkError && attempt < maxRetries) {
        await sleep(backoffMs(attempt), options.signal);
        continue;
      }
      throw timedOut
        ? new ImageGenError({
            status: 0,
            code: "TIMEOUT",
            type: "timeout_error",
            message: `no answer within ${timeoutMs} ms`,
            cause,
          })
        : new ImageGenError({
            status: 0,
            code: "UNAVAILABLE",
            type: "service_unavailable",
            message: `could not reach ${config.baseURL}: ${String(cause)}`,
            cause,
          });
    }
    // The body may still be streaming (watch); the timeout covers the wait for headers only.
    attemptSignal.keepForBody();
    if (response.ok) return response;
    attemptSignal.done();
    const error = await errorOf(response);
    if (!RETRYABLE_STATUS.has(response.status) || attempt >= maxRetries) throw error;
    const delayMs = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : backoffMs(attempt);
    if (delayMs > config.maxRetryDelayMs) throw error;
    await sleep(delayMs, options.signal);
  }
}

/** The ImageGenError a failed response stands for (its envelope, or its status when it has none). */
export async function errorOf(response: Response): Promise<ImageGenError> {
  const text = await response.text().catch(() => "");
  const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"));
  const requestId = response.headers.get("x-request-id") ?? undefined;
  let envelope: { error?: Record<string, unknown> } | undefined;
  try {
    envelope = JSON.parse(text) as { error?: Record<string, unknown> };
  } catch {
    envelope = undefined;
  }
  const e = envelope?.error;
  if (e && typeof e.code === "string") {
    return new ImageGenError({
      status: response.status,
      code: e.code,
      type: typeof e.type === "string" ? e.type : "server_error",
      message: typeof e.message === "string" ? e.message : response.statusText,
      requestId: typeof e.request_id === "string" ? e.request_id : requestId,
      details: fromWire(e.details ?? {}, "ErrorDetails") as ErrorDetails,
      documentationUrl: typeof e.documentation_url === "string" ? e.documentation_url : undefined,
      retryAfterSeconds,
    });
  }
  // Not our envelope (a proxy's page, an empty body): the code the table gives the status.
  const row = Object.entries(ERROR_TABLE).find(([, r]) => r.status === response.status);
  return new ImageGenError({
    status: response.status,
    code: row?.[0] ?? (response.status >= 500 ? "INTERNAL" : "INVALID_REQUEST"),
    type: row?.[1].type ?? "server_error",
    message: `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
    requestId,
    retryAfterSeconds,
  });
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

const backoffMs = (attempt: number): number => 500 * 2 ** attempt * (0.75 + Math.random() / 2);

/** Resolves after `ms`, or rejects with CANCELED when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(canceled(signal.reason));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(canceled(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const canceled = (cause: unknown): ImageGenError =>
  new ImageGenError({ status: 0, code: "CANCELED", type: "canceled", message: "the call was aborted", cause });

/** An AbortSignal that fires on the caller's signal or after `timeoutMs` until the headers come. */
function linkedSignal(outer: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  outer?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timeout"));
  }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    keepForBody: () => clearTimeout(timer),
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}
