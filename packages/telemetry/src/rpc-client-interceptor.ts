import type { Interceptor } from "@connectrpc/connect";
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import { imagegenMetrics } from "./metrics.ts";
import {
  firstMessage,
  headerSetter,
  reasonOf,
  rpcAttributes,
  statusAttributes,
  streamInContext,
} from "./rpc-attributes.ts";

const tracer = trace.getTracer("@imagegen/telemetry");

/** Options of the client interceptor. */
export interface ClientTracingOptions {
  /** The peer's name, e.g. "front" or a provider id; becomes `server.address`-like `imagegen.peer`. */
  readonly peer: string;
  /**
   * Set on a transport to a provider service: its Generate calls also feed the provider metrics
   * (in-flight, latency, errors by provider/model/reason).
   */
  readonly provider?: string;
}

/**
 * A Connect client interceptor giving every outgoing RPC a CLIENT span (OTel RPC conventions)
 * under the active span and injecting W3C `traceparent` into its headers, so the callee's server
 * span joins the same trace; plus `rpc.client.call.duration`.
 */
export function createClientTracingInterceptor(options: ClientTracingOptions): Interceptor {
  return (next) => async (incoming) => {
    const providerCall =
      options.provider !== undefined &&
      (incoming.method.name === "Generate" || incoming.method.name === "GenerateUnary");
    const { message, req } = providerCall ? await firstMessage(incoming) : { message: undefined, req: incoming };
    const attributes: Attributes = { ...rpcAttributes(req), "imagegen.peer": options.peer };
    const span = tracer.startSpan(`${req.service.typeName}/${req.method.name}`, { kind: SpanKind.CLIENT, attributes });
    const ctx = trace.setSpan(context.active(), span);
    propagation.inject(ctx, req.header, headerSetter);
    const model = String((message as { model?: unknown } | undefined)?.model ?? "");
    const providerAttributes = { "imagegen.provider": options.provider ?? "", "gen_ai.request.model": model };
    if (providerCall) {
      span.setAttributes({
        ...providerAttributes,
        "gen_ai.provider.name": options.provider ?? "",
        "gen_ai.operation.name": "generate_content",
      });
      imagegenMetrics().generationsInFlight.add(1, { "imagegen.provider": options.provider });
    }
    const started = performance.now();
    const finish = (error?: unknown): void => {
      const status = statusAttributes(error, String(attributes["rpc.system"]));
      span.setAttributes(status);
      // A client span is an ERROR whatever the code (OTel RPC conventions).
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: reasonOf(error) });
      span.end();
      const seconds = (performance.now() - started) / 1000;
      const m = imagegenMetrics();
      m.rpcClientDuration.record(seconds, { ...attributes, ...status });
      if (!providerCall) return;
      m.generationsInFlight.add(-1, { "imagegen.provider": options.provider });
      const outcome = error === undefined ? "ok" : reasonOf(error);
      m.providerDuration.record(seconds, { ...providerAttributes, "imagegen.outcome": outcome });
      if (error !== undefined) m.providerErrors.add(1, { ...providerAttributes, "error.type": outcome });
    };
    try {
      const res = await context.with(ctx, () => next(req));
      if (!res.stream) {
        finish();
        return res;
      }
      return { ...res, message: streamInContext(res.message, ctx, finish) };
    } catch (error) {
      finish(error);
      throw error;
    }
  };
}
