import type { IMetricReader } from "@opentelemetry/sdk-metrics";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace";
import { readTelemetryConfig, type OtlpProtocol, type TelemetryConfig } from "./telemetry-config.ts";
import { GenAiContextSpanProcessor } from "./gen-ai-context.ts";

/** A started (or deliberately absent) SDK. */
export interface Telemetry {
  readonly config: TelemetryConfig;
  /** False when nothing was configured: the API stays a no-op and costs nothing. */
  readonly enabled: boolean;
  /** Flushes spans and metrics; call last in a graceful shutdown. Never throws. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for one process when the operator configured it (see
 * `readTelemetryConfig`), with OTLP exporters per OTEL_EXPORTER_OTLP_PROTOCOL, a Prometheus
 * /metrics endpoint on the process's metrics port, W3C propagation and the undici instrumentation
 * (provider → vendor HTTP calls). Call it first in main.ts: metric instruments are created lazily
 * after it, and tracers obtained earlier are proxies that start recording once it has run.
 */
export async function startTelemetry(
  defaultServiceName: string,
  metricsPortVar: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Telemetry> {
  const config = readTelemetryConfig(env, defaultServiceName, metricsPortVar);
  if (!config.traces && !config.otlpMetrics && config.metricsPort === undefined) {
    return { config, enabled: false, shutdown: async () => undefined };
  }
  const [{ NodeSDK }, { BatchSpanProcessor }, { PeriodicExportingMetricReader }, { UndiciInstrumentation }] =
    await Promise.all([
      import("@opentelemetry/sdk-node"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/sdk-metrics"),
      import("@opentelemetry/instrumentation-undici"),
    ]);
  const spanProcessors: SpanProcessor[] = [];
  if (config.traces)
    spanProcessors.push(
      new GenAiContextSpanProcessor(),
      new BatchSpanProcessor({ exporter: await traceExporter(config.tracesProtocol) }),
    );
  const metricReaders: IMetricReader[] = [];
  if (config.otlpMetrics) {
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter: await metricExporter(config.metricsProtocol),
        exportIntervalMillis: Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000),
        exportTimeoutMillis: Math.min(
          Number(env.OTEL_METRIC_EXPORT_TIMEOUT ?? 30_000),
          Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000),
        ),
      }),
    );
  }
  if (config.metricsPort !== undefined) {
    const { PrometheusExporter } = await import("@opentelemetry/exporter-prometheus");
    metricReaders.push(new PrometheusExporter({ port: config.metricsPort, host: config.metricsHost }));
  }
  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    spanProcessors,
    metricReaders,
    // Our logs are JSON lines on stdout (collected by the platform), not an OTel log pipeline.
    logRecordProcessors: [],
    instrumentations: config.traces ? [new UndiciInstrumentation()] : [],
  });
  sdk.start();
  return {
    config,
    enabled: true,
    shutdown: () => sdk.shutdown().catch(() => undefined),
  };
}

// Each exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT / _HEADERS / _TIMEOUT itself.
async function traceExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  switch (protocol) {
    case "http/json":
      return new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter();
    case "grpc":
      return new (await import("@opentelemetry/exporter-trace-otlp-grpc")).OTLPTraceExporter();
    default:
      return new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter();
  }
}

async function metricExporter(protocol: OtlpProtocol) {
  switch (protocol) {
    case "http/json":
      return new (await import("@opentelemetry/exporter-metrics-otlp-http")).OTLPMetricExporter();
    case "grpc":
      return new (await import("@opentelemetry/exporter-metrics-otlp-grpc")).OTLPMetricExporter();
    default:
      return new (await import("@opentelemetry/exporter-metrics-otlp-proto")).OTLPMetricExporter();
  }
}
