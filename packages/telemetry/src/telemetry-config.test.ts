import { describe, expect, it } from "vitest";
import { readTelemetryConfig } from "./telemetry-config.ts";

const read = (env: NodeJS.ProcessEnv) => readTelemetryConfig(env, "imagegen-front", "IMAGEGEN_FRONT_METRICS_PORT");

describe("telemetry config from OTEL_* variables", () => {
  it("is off when nothing is configured", () => {
    expect(read({})).toMatchObject({
      traces: false,
      otlpMetrics: false,
      metricsPort: undefined,
      serviceName: "imagegen-front",
    });
  });

  it("turns traces and metrics on with an OTLP endpoint, honouring the protocol per signal", () => {
    const config = read({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "grpc",
    });
    expect(config).toMatchObject({
      traces: true,
      otlpMetrics: true,
      tracesProtocol: "http/json",
      metricsProtocol: "grpc",
    });
  });

  it("lets OTEL_*_EXPORTER=none switch one signal off and OTEL_SERVICE_NAME rename the process", () => {
    const config = read({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_METRICS_EXPORTER: "none",
      OTEL_SERVICE_NAME: "front-eu",
    });
    expect(config).toMatchObject({ traces: true, otlpMetrics: false, serviceName: "front-eu" });
  });

  it("serves Prometheus on the process's own metrics port only", () => {
    expect(read({ IMAGEGEN_FRONT_METRICS_PORT: "9464", IMAGEGEN_METRICS_PORT: "9000" })).toMatchObject({
      metricsPort: 9464,
      traces: false,
    });
  });

  it("is off entirely under OTEL_SDK_DISABLED", () => {
    expect(
      read({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", IMAGEGEN_FRONT_METRICS_PORT: "9464" }),
    ).toMatchObject({
      traces: false,
      otlpMetrics: false,
      metricsPort: undefined,
    });
  });
});
