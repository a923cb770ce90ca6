import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import { withGenAiAttributes } from "./gen-ai-context.ts";
import { imagegenMetrics } from "./metrics.ts";
import { recordRpcOutcome } from "./http-server-span.ts";
import {
  firstMessage,
  headerGetter,
  isServerFault,
  reasonOf,
  rpcAttributes,
  statusAttributes,
  streamInContext,
} from "./rpc-attributes.ts";

const tracer = trace.getTracer("@imagegen/telemetry");
// Refusals counted as `imagegen.rejections`, whichever service refused.
const REJECTIONS = new Set(["RATE_LIMITED", "QUOTA_EXCEEDED"]);

/** Options of the server interceptor. */
export interface ServerTracingOptions {
  /** Extra attributes of a call from its request message (e.g. GenAI attributes on a provider). */
  readonly describe?: (service: string, method: string, message: unknown) => Attributes | undefined;
}

/**
 * A Connect server interceptor giving every served RPC a SERVER span (OTel RPC conventions),
 * child of the caller's W3C `traceparent` — or of the span already active in this process (the
 * edge's HTTP span) — plus `rpc.server.call.duration`. Streams keep the span open until they end.
 */
export function createServerTracingInterceptor(options: ServerTracingOptions = {}): Interceptor {
  return (next) => async (incoming) => {
    const { message, req } = options.describe ? await firstMessage(incoming) : { message: undefined, req: incoming };
    const active = context.active();
    const parent = trace.getSpan(active) ? active : propagation.extract(active, req.header, headerGetter);
    const attributes = rpcAttributes(req);
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      { kind: SpanKind.SERVER, attributes },
      parent,
    );
    const described = options.describe?.(req.service.typeName, req.method.name, message);
    if (described) span.setAttributes(described);
    const ctx = trace.setSpan(parent, span);
    const started = performance.now();
    const finish = (error?: unknown): void => {
      const status = statusAttributes(error, String(attributes["rpc.system"]));
      span.setAttributes(status);
      // A server span is an ERROR only for the server's faults, not for a refused caller.
      if (error !== undefined && isServerFault(ConnectError.from(error).code))
        span.setStatus({ code: SpanStatusCode.ERROR, message: reasonOf(error) });
      span.end();
      // The edge's HTTP span around this call (same process) carries the outcome too.
      recordRpcOutcome(parent, attributes, error);
      const m = imagegenMetrics();
      m.rpcServerDuration.record((performance.now() - started) / 1000, { ...attributes, ...status });
      const reason = status["error.type"];
      if (typeof reason === "string" && REJECTIONS.has(reason))
        m.rejections.add(1, { "error.type": reason, "rpc.method": req.method.name });
    };
    const run = () => context.with(ctx, () => next(req));
    try {
      const res = await (described ? withGenAiAttributes(described, run) : run());
      if (!res.stream) {
        finish();
        return res;
      }
      const streamCtx = described
        ? context.with(ctx, () => withGenAiAttributes(described, () => context.active()))
        : ctx;
      return { ...res, message: streamInContext(res.message, streamCtx, finish) };
    } catch (error) {
      finish(error);
      throw error;
    }
  };
}
