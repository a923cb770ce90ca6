import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { ConnectError, type Code } from "@connectrpc/connect";
import { codeFromHttpStatus } from "@connectrpc/connect/protocol-connect";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { imagegenMetrics } from "./metrics.ts";
import { isServerFault, rpcSystemOf, statusAttributes } from "./rpc-attributes.ts";

const tracer = trace.getTracer("@imagegen/telemetry");

/** How the edge names a request for spans and metrics (low cardinality: never ids). */
export interface EdgeRoute {
  /** rpc, rest, compat, images, health, docs … */
  readonly surface: string;
  /** The RPC method for RPC paths, otherwise the HTTP method. */
  readonly method: string;
  /**
   * `http.route` when known before handling: a fixed path or a template ("/images/{file}").
   * A handler that matches a template later names it with setHttpRoute.
   */
  readonly route?: string;
  /** For RPC paths: the call's service and method, so the span records the RPC outcome. */
  readonly rpc?: { readonly service: string; readonly method: string };
}

/** What the edge span learns while the request runs. */
interface EdgeSpanState {
  readonly span: Span;
  readonly httpMethod: string;
  route?: string;
  rpc?: { attributes: Attributes; error: unknown };
}

// The edge HTTP spans of this process, so code running under one can add to it.
const edgeSpans = new WeakMap<Span, EdgeSpanState>();

/**
 * Names the route (`http.route`, a template such as "/api/v2/generations/{id}") of the edge
 * request running in `ctx`, and the span after it (`{method} {http.route}`). No-op elsewhere.
 */
export function setHttpRoute(route: string, ctx: Context = context.active()): void {
  const state = edgeSpans.get(trace.getSpan(ctx) as Span);
  if (!state) return;
  state.route = route;
  state.span.updateName(`${state.httpMethod} ${route}`);
  state.span.setAttribute("http.route", route);
}

/**
 * Records an RPC's outcome on the edge HTTP span that is `parent` (when it is one), so the
 * outermost span of a failed call says how it failed, not only "HTTP 200".
 */
export function recordRpcOutcome(parent: Context, attributes: Attributes, error: unknown): void {
  const state = edgeSpans.get(trace.getSpan(parent) as Span);
  if (state) state.rpc = { attributes, error };
}

/**
 * Runs the edge's handling of one HTTP request under a SERVER span that honours an incoming
 * W3C `traceparent` (a client's own trace continues through us), ending it when the response
 * finishes or the connection closes, and records `imagegen.requests` / `imagegen.request.duration`.
 * The span follows the OTel HTTP server conventions (`{method} {http.route}`, `http.route`,
 * `url.scheme`, `server.address`, `http.response.status_code`; ERROR for 5xx); an RPC's span
 * also carries `rpc.*` and its status attribute, and is an ERROR for the server-fault codes.
 * Records the path only, never the query (signed image URLs carry their signature there).
 */
export function traceHttpRequest(
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
  route: EdgeRoute,
  handle: () => void,
): void {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const httpMethod = req.method ?? "GET";
  const contentType = String(req.headers["content-type"] ?? "");
  // Behind Envoy the scheme the client used is Envoy's; this is the one this server saw.
  const scheme = "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
  const rpcAttributes: Attributes | undefined = route.rpc && {
    "rpc.system": rpcSystemOf(contentType),
    "rpc.service": route.rpc.service,
    "rpc.method": route.rpc.method,
  };
  const span = tracer.startSpan(
    route.route ? `${httpMethod} ${route.route}` : httpMethod,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": httpMethod,
        "url.path": path,
        "url.scheme": scheme,
        ...serverAddress(req),
        ...(route.route ? { "http.route": route.route } : {}),
        "network.protocol.version": req.httpVersion,
        "imagegen.surface": route.surface,
        "imagegen.method": route.method,
        ...rpcAttributes,
      },
    },
    parent,
  );
  const state: EdgeSpanState = { span, httpMethod, route: route.route };
  edgeSpans.set(span, state);
  const started = performance.now();
  let ended = false;
  // "close" before "finish" means the client went away before the answer was complete.
  const end = (aborted: boolean): void => {
    if (ended) return;
    ended = true;
    const status = res.statusCode;
    span.setAttribute("http.response.status_code", status);
    // The id the edge answered with (the client's own, if it sent a sane one).
    span.setAttribute("imagegen.request_id", String((res as ServerResponse).getHeader("x-request-id") ?? ""));
    let rpcFault = false;
    if (rpcAttributes) {
      // The RPC server span's outcome when the call got that far; else (refused at the edge
      // before it, or an unknown method) what the response says.
      const error = state.rpc ? state.rpc.error : errorFromResponse(res, contentType);
      span.setAttributes(statusAttributes(error, String(rpcAttributes["rpc.system"])));
      rpcFault = error !== undefined && isServerFault(ConnectError.from(error).code);
    }
    if (status >= 500 || aborted || rpcFault) span.setStatus({ code: SpanStatusCode.ERROR });
    if ((status >= 500 || aborted) && !rpcFault) span.setAttribute("error.type", aborted ? "aborted" : String(status));
    span.end();
    const seconds = (performance.now() - started) / 1000;
    const attributes = {
      "imagegen.surface": route.surface,
      "imagegen.method": route.method,
      "http.response.status_code": status,
    };
    const m = imagegenMetrics();
    m.requests.add(1, attributes);
    m.requestDuration.record(seconds, attributes);
    m.httpServerDuration.record(seconds, {
      "http.request.method": httpMethod,
      "http.response.status_code": status,
      "url.scheme": scheme,
      ...(state.route ? { "http.route": state.route } : {}),
      ...(status >= 500 || aborted ? { "error.type": aborted ? "aborted" : String(status) } : {}),
    });
  };
  (res as ServerResponse).once("finish", () => end(false));
  (res as ServerResponse).once("close", () => end(true));
  context.with(trace.setSpan(parent, span), handle);
}

/** `server.address` / `server.port` from the Host header (HTTP/1.1) or :authority (h2). */
function serverAddress(req: IncomingMessage | Http2ServerRequest): Attributes {
  const authority = "authority" in req && typeof req.authority === "string" ? req.authority : req.headers.host;
  if (typeof authority !== "string" || !URL.canParse(`http://${authority}/`)) return {};
  const url = new URL(`http://${authority}/`);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return url.port ? { "server.address": host, "server.port": Number(url.port) } : { "server.address": host };
}

/**
 * The RPC error a response carries when no RPC span recorded one: gRPC's status in the headers
 * of a trailers-only answer, or a Connect unary answer's HTTP status. undefined = success.
 */
function errorFromResponse(res: ServerResponse | Http2ServerResponse, contentType: string): ConnectError | undefined {
  const grpcStatus = (res as ServerResponse).getHeader("grpc-status");
  if (grpcStatus !== undefined) {
    const code = Number(grpcStatus);
    return code === 0
      ? undefined
      : new ConnectError(String((res as ServerResponse).getHeader("grpc-message") ?? ""), code as Code);
  }
  if (
    contentType.toLowerCase().startsWith("application/grpc") ||
    contentType.toLowerCase().startsWith("application/connect+")
  )
    return undefined;
  return res.statusCode === 200 ? undefined : new ConnectError("", codeFromHttpStatus(res.statusCode));
}
