/**
 * @imagegen/telemetry: OpenTelemetry for every process — SDK start from OTEL_* variables,
 * Connect interceptors carrying W3C trace context across gRPC hops, the edge's HTTP span, the
 * metric instruments, and GenAI attributes that follow a generation into vendor calls.
 */
export { startTelemetry } from "./start-telemetry.ts";
export type { Telemetry } from "./start-telemetry.ts";
export { readTelemetryConfig, tracePromptsEnabled } from "./telemetry-config.ts";
export type { OtlpProtocol, TelemetryConfig } from "./telemetry-config.ts";
export { createServerTracingInterceptor } from "./rpc-server-interceptor.ts";
export type { ServerTracingOptions } from "./rpc-server-interceptor.ts";
export { createClientTracingInterceptor } from "./rpc-client-interceptor.ts";
export type { ClientTracingOptions } from "./rpc-client-interceptor.ts";
export { setHttpRoute, traceHttpRequest } from "./http-server-span.ts";
export type { EdgeRoute } from "./http-server-span.ts";
export { imagegenMetrics } from "./metrics.ts";
export type { ImagegenInstruments } from "./metrics.ts";
export { GenAiContextSpanProcessor, genAiAttributesIn, withGenAiAttributes } from "./gen-ai-context.ts";
export { providerGenAiAttributes } from "./provider-attributes.ts";
export { noteOnActiveSpan } from "./span-events.ts";
