/** What one process exports, read from the standard OTEL_* variables and our own two. */
export interface TelemetryConfig {
  readonly serviceName: string;
  /** Spans go out over OTLP. */
  readonly traces: boolean;
  /** Metrics go out over OTLP (periodically). */
  readonly otlpMetrics: boolean;
  /** OTLP wire format for traces and metrics: "http/protobuf" (default), "http/json" or "grpc". */
  readonly tracesProtocol: OtlpProtocol;
  readonly metricsProtocol: OtlpProtocol;
  /** Operator port serving /metrics in Prometheus text format; undefined = none. */
  readonly metricsPort?: number;
  readonly metricsHost: string;
}

/** The OTLP transports the SDK's exporters speak. */
export type OtlpProtocol = "http/protobuf" | "http/json" | "grpc";

const PROTOCOLS: readonly OtlpProtocol[] = ["http/protobuf", "http/json", "grpc"];

/**
 * Reads the telemetry config. Telemetry is OFF unless the operator says so: an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or a per-signal one), an explicit OTEL_TRACES_EXPORTER /
 * OTEL_METRICS_EXPORTER of "otlp", or the metrics port `metricsPortVar` (IMAGEGEN_METRICS_PORT for
 * the gateway, IMAGEGEN_FRONT_METRICS_PORT, IMAGEGEN_PROVIDER_<ID>_METRICS_PORT). OTEL_SDK_DISABLED
 * wins over everything.
 */
export function readTelemetryConfig(
  env: NodeJS.ProcessEnv,
  defaultServiceName: string,
  metricsPortVar: string,
): TelemetryConfig {
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true";
  const list = (name: string): string[] | undefined =>
    env[name]
      ?.split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
  const wants = (signal: "TRACES" | "METRICS"): boolean => {
    const exporters = list(`OTEL_${signal}_EXPORTER`);
    if (exporters) return exporters.includes("otlp");
    return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]);
  };
  const protocol = (signal: "TRACES" | "METRICS"): OtlpProtocol => {
    const value = (
      env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ??
      env.OTEL_EXPORTER_OTLP_PROTOCOL ??
      "http/protobuf"
    ).trim();
    return (PROTOCOLS as readonly string[]).includes(value) ? (value as OtlpProtocol) : "http/protobuf";
  };
  const port = Number(env[metricsPortVar]);
  return {
    serviceName: env.OTEL_SERVICE_NAME?.trim() || defaultServiceName,
    traces: !disabled && wants("TRACES"),
    otlpMetrics: !disabled && wants("METRICS"),
    tracesProtocol: protocol("TRACES"),
    metricsProtocol: protocol("METRICS"),
    metricsPort: !disabled && Number.isInteger(port) && port > 0 ? port : undefined,
    metricsHost: env.IMAGEGEN_METRICS_HOST ?? "0.0.0.0",
  };
}

/** True when the operator opted in to recording prompts on spans (IMAGEGEN_TRACE_PROMPTS=true). */
export function tracePromptsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.IMAGEGEN_TRACE_PROMPTS?.trim().toLowerCase() === "true";
}
