import type {
  DescMessage,
  DescMethod,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  MessageShape,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type HandlerContext, type Transport } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { lostConnection } from "@imagegen/server-kit";
import { copyExposedHeaders, headersForFront } from "./forwarded-headers.ts";
import { droppedUnderCall, makeRecoverable } from "./recoverable-call.ts";

/** Header the edge middleware sets on every incoming request before any handler runs. */
export const REQUEST_ID_HEADER = "x-request-id";

/** One call to the front service, as both the RPC proxy and the REST transcoder make it. */
export interface FrontCallOptions {
  readonly requestHeaders: Headers;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  /** Receives the client-visible response headers of the front (rate limits, quotas). */
  readonly responseHeaders: Headers;
}

// Every call to the front carries a deadline, the client's when it is shorter. A unary call
// outlasts the front's longest wait for a generation (IMAGEGEN_SYNC_WAIT_MS) by 30 s; a stream
// (a watched generation) outlasts the longest provider job (IMAGEGEN_PROVIDER_TIMEOUT_MS) by a
// minute. A front that stops answering altogether is caught sooner, by HTTP/2 PING (server-kit).
const UNARY_DEADLINE_MS = Number(process.env.IMAGEGEN_SYNC_WAIT_MS ?? 60_000) + 30_000;
const STREAM_DEADLINE_MS = Number(process.env.IMAGEGEN_PROVIDER_TIMEOUT_MS ?? 300_000) + 60_000;

function deadline(clientTimeoutMs: number | undefined, boundMs: number): number {
  return clientTimeoutMs === undefined || clientTimeoutMs > boundMs ? boundMs : clientTimeoutMs;
}

/**
 * Calls a unary method of the front service, forwarding only the allowed headers. A call that
 * creates a generation is made recoverable first (recoverable-call.ts): if the connection drops
 * under it, it is sent once more with the same request_id, and the front answers with the
 * generation the first attempt created — never a 5xx for work that was done and charged.
 */
export async function callFrontUnary<I extends DescMessage, O extends DescMessage>(
  transport: Transport,
  method: DescMethodUnary<I, O>,
  request: MessageShape<I>,
  options: FrontCallOptions,
): Promise<MessageShape<O>> {
  const recoverable = makeRecoverable(transport, method, request);
  const call = () =>
    transport.unary(
      method,
      options.signal,
      deadline(options.timeoutMs, UNARY_DEADLINE_MS),
      frontHeaders(options),
      request,
    );
  try {
    let response;
    try {
      response = await call();
    } catch (error) {
      if (!recoverable || !droppedUnderCall(error, options.signal)) throw error;
      response = await call();
    }
    copyExposedHeaders(response.header, options.responseHeaders);
    copyExposedHeaders(response.trailer, options.responseHeaders);
    return response.message;
  } catch (error) {
    throw edgeError(error, options.responseHeaders, options.signal);
  }
}

/** Calls a server-streaming method of the front service. */
export async function* callFrontStream<I extends DescMessage, O extends DescMessage>(
  transport: Transport,
  method: DescMethodServerStreaming<I, O>,
  request: MessageShape<I>,
  options: FrontCallOptions,
): AsyncGenerator<MessageShape<O>> {
  try {
    const response = await transport.stream(
      method,
      options.signal,
      deadline(options.timeoutMs, STREAM_DEADLINE_MS),
      frontHeaders(options),
      (async function* () {
        yield request;
      })(),
    );
    copyExposedHeaders(response.header, options.responseHeaders);
    yield* response.message;
  } catch (error) {
    throw edgeError(error, options.responseHeaders, options.signal);
  }
}

function frontHeaders(options: FrontCallOptions): Headers {
  const id = options.requestHeaders.get(REQUEST_ID_HEADER) ?? "";
  return headersForFront(options.requestHeaders, id, options.requestHeaders.get("x-forwarded-for") ?? undefined);
}

// The front's error keeps its code, message and details; of its metadata only the
// client-visible headers survive (no internal header leaks through the edge). An UNAVAILABLE
// without the front's ErrorInfo is the link's (PING timeout, connect failure), not the front's.
function edgeError(error: unknown, responseHeaders: Headers, signal: AbortSignal): unknown {
  if (!(error instanceof ConnectError)) return error;
  // A front that dies mid-call surfaces as "canceled" (stream reset) or "aborted" (read
  // ECONNRESET) — codes that would tell the client it cancelled or conflicted. Only the client
  // can cancel its call; everything else lost with the connection is the service being away
  // (the front's own errors never carry a connection cause).
  const fromFront = error.findDetails(ErrorInfoSchema).length > 0;
  if (
    (error.code === Code.Canceled && !signal.aborted) ||
    lostConnection(error) ||
    (error.code === Code.Unavailable && !fromFront)
  ) {
    return frontAway(error);
  }
  const metadata = new Headers();
  copyExposedHeaders(error.metadata, metadata);
  copyExposedHeaders(metadata, responseHeaders);
  // Incoming details are re-sent as they came (type name + bytes), so nothing is re-encoded.
  return new ConnectError(error.rawMessage, error.code, metadata, error.details as never, error.cause);
}

/** Seconds a caller is asked to wait while the front is away (restarting, frozen, unreachable). */
const FRONT_AWAY_RETRY_AFTER_SECONDS = 1;

/**
 * The front could not be reached, dropped the call or did not answer in time: UNAVAILABLE with
 * Retry-After on every surface (RetryInfo for RPC clients, the header for HTTP ones).
 */
export function frontAway(error: ConnectError): ConnectError {
  const away = apiError(ErrorReason.UNAVAILABLE, "the service is temporarily unavailable; retry shortly", {
    retryAfterSeconds: FRONT_AWAY_RETRY_AFTER_SECONDS,
    cause: error,
  });
  away.metadata.set("retry-after", String(FRONT_AWAY_RETRY_AFTER_SECONDS));
  return away;
}

/**
 * Registers `service` on the gateway's router so that every method forwards to the front
 * service over `transport`: the gateway translates protocols (Connect, gRPC-Web, gRPC) and
 * never interprets the messages.
 */
export function registerFrontProxy(router: ConnectRouter, service: DescService, transport: Transport): void {
  const impl: Record<string, unknown> = {};
  for (const method of service.methods) {
    impl[method.localName] = proxyMethod(method, transport);
  }
  router.service(service, impl as never);
}

function proxyMethod(method: DescMethod, transport: Transport) {
  const optionsFor = (ctx: HandlerContext): FrontCallOptions => ({
    requestHeaders: ctx.requestHeader,
    signal: ctx.signal,
    timeoutMs: ctx.timeoutMs(),
    responseHeaders: ctx.responseHeader,
  });
  switch (method.methodKind) {
    case "unary":
      return (request: never, ctx: HandlerContext) =>
        callFrontUnary(transport, method as DescMethodUnary, request, optionsFor(ctx));
    case "server_streaming":
      return (request: never, ctx: HandlerContext) =>
        callFrontStream(transport, method as DescMethodServerStreaming, request, optionsFor(ctx));
    default:
      throw new Error(`front proxy: ${method.methodKind} method ${method.name} is not supported`);
  }
}
