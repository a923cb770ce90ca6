import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { imagegenMetrics } from "./metrics.ts";

const tracer = trace.getTracer("@imagegen/telemetry");

/** How the edge names a request for spans and metrics (low cardinality: never ids). */
export interface EdgeRoute {
  /** rpc, rest, compat, images, health, docs … */
  readonly surface: string;
  /** The RPC method for RPC paths, otherwise the HTTP method. */
  readonly method: string;
}

/**
 * Runs the edge's handling of one HTTP request under a SERVER span that honours an incoming
 * W3C `traceparent` (a client's own trace continues through us), ending it when the response
 * finishes or the connection closes, and records `imagegen.requests` / `imagegen.request.duration`.
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
  const span = tracer.startSpan(
    `${req.method} ${route.surface}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": req.method ?? "",
        "url.path": path,
        "network.protocol.version": req.httpVersion,
        "imagegen.surface": route.surface,
        "imagegen.method": route.method,
      },
    },
    parent,
  );
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
    if (status >= 500 || aborted) span.setStatus({ code: SpanStatusCode.ERROR });
    if (status >= 500 || aborted) span.setAttribute("error.type", aborted ? "aborted" : String(status));
    span.end();
    const attributes = { "imagegen.surface": route.surface, "imagegen.method": route.method, "http.response.status_code": status };
    const m = imagegenMetrics();
    m.requests.add(1, attributes);
    m.requestDuration.record((performance.now() - started) / 1000, attributes);
  };
  (res as ServerResponse).once("finish", () => end(false));
  (res as ServerResponse).once("close", () => end(true));
  context.with(trace.setSpan(parent, span), handle);
}
