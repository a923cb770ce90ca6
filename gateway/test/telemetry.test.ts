import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeReplicate } from "../../services/providers/replicate/test/fake-replicate.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.ts";
import { freePort, startSystem, type RunningSystem } from "./start-system.ts";

// One REST generation through the real Replicate provider service (against its fake), with every
// process exporting OTLP http/json to an in-test receiver and serving Prometheus on its own port.
const TOKEN = "r8_otel-SECRET-token-0123456789";
const PROMPT = "a private prompt about a lighthouse";
const SERVER = 2;
const CLIENT = 3;
let system: RunningSystem;
let receiver: OtlpReceiver;
let replicate: Awaited<ReturnType<typeof startFakeReplicate>>;
let gatewayMetricsPort: number;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  replicate = await startFakeReplicate({ token: TOKEN, waitScale: 0.05 });
  gatewayMetricsPort = await freePort();
  system = await startSystem(
    {
      REPLICATE_API_TOKEN: TOKEN,
      REPLICATE_BASE_URL: replicate.baseUrl,
      IMAGEGEN_POLL_INTERVAL_MS: "20",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_METRIC_EXPORT_INTERVAL: "200",
      IMAGEGEN_METRICS_HOST: "127.0.0.1",
      IMAGEGEN_METRICS_PORT: String(gatewayMetricsPort),
      IMAGEGEN_FRONT_METRICS_PORT: String(await freePort()),
    },
    { providers: ["replicate"] },
  );
});
afterAll(async () => {
  await system?.stop();
  await replicate?.close();
  await receiver?.close();
});

// Polls the receiver until `found` holds (exports are batched); the test's own timeout bounds it.
async function eventually<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function childOf(
  spans: ReceivedSpan[],
  parent: ReceivedSpan,
  where: (s: ReceivedSpan) => boolean,
): ReceivedSpan | undefined {
  return spans.find((s) => s.parentSpanId === parent.spanId && where(s));
}

describe("one generation is one trace", () => {
  const traceId = randomBytes(16).toString("hex");
  const clientSpanId = randomBytes(8).toString("hex");
  let spans: ReceivedSpan[] = [];

  it("chains client → gateway → front → provider → vendor HTTP under the caller's traceparent", {
    timeout: 30_000,
  }, async () => {
    const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${system.adminKey}`,
        traceparent: `00-${traceId}-${clientSpanId}-01`,
      },
      body: JSON.stringify({
        prompt: PROMPT,
        model: "stable-diffusion-xl",
        parameters: { width: 512, height: 512, num_outputs: 1 },
        output: { format: "png" },
      }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ provider: "replicate" });

    // Each process exports in its own batches: wait for the vendor call's span and the edge's.
    spans = await eventually(() => {
      const all = receiver.spans().filter((s) => s.traceId === traceId);
      const vendor = all.some(
        (s) => s.service === "imagegen-provider-replicate" && s.attributes["http.response.status_code"] === 201,
      );
      const edge = all.some((s) => s.service === "imagegen-gateway" && s.kind === SERVER);
      const front = all.some((s) => s.service === "imagegen-front" && s.kind === SERVER);
      const provider = all.some((s) => s.service === "imagegen-provider-replicate" && s.kind === SERVER);
      return vendor && edge && front && provider ? all : undefined;
    });
    const edge = spans.find(
      (s) => s.service === "imagegen-gateway" && s.kind === SERVER && s.parentSpanId === clientSpanId,
    );
    expect(edge?.name).toBe("POST /api/v2/generate/text-to-image");
    expect(edge?.attributes).toMatchObject({
      "imagegen.surface": "rest",
      "http.route": "/api/v2/generate/text-to-image",
      "http.request.method": "POST",
      "http.response.status_code": 200,
      "imagegen.request_id": res.headers.get("x-request-id"),
    });
    const toFront = childOf(spans, edge!, (s) => s.kind === CLIENT && s.attributes["rpc.method"] === "TextToImage");
    // The internal hop speaks Connect (IMAGEGEN_INTERNAL_PROTOCOL's default): no gRPC status on it.
    expect(toFront?.attributes).toMatchObject({
      "rpc.system": "connect_rpc",
      "rpc.service": "imagegen.v1.ImageService",
    });
    expect(toFront?.attributes["rpc.grpc.status_code"]).toBeUndefined();
    const front = childOf(spans, toFront!, (s) => s.service === "imagegen-front" && s.kind === SERVER);
    expect(front?.name).toBe("imagegen.v1.ImageService/TextToImage");
    const toProvider = spans.find(
      (s) => s.service === "imagegen-front" && s.kind === CLIENT && s.attributes["rpc.method"] === "Generate",
    );
    expect(toProvider?.attributes).toMatchObject({
      "imagegen.provider": "replicate",
      "gen_ai.request.model": expect.any(String),
    });
    const provider = childOf(
      spans,
      toProvider!,
      (s) => s.service === "imagegen-provider-replicate" && s.kind === SERVER,
    );
    expect(provider?.attributes).toMatchObject({
      "rpc.service": "imagegen.provider.v1.ProviderService",
      "rpc.method": "Generate",
      "gen_ai.operation.name": "generate_content",
      "gen_ai.provider.name": "replicate",
    });
    // The kit's vendor call span, carrying the generation's GenAI attributes, and undici's HTTP span beneath it.
    const vendorCall = childOf(
      spans,
      provider!,
      (s) => s.kind === CLIENT && s.attributes["http.response.status_code"] === 201,
    );
    expect(vendorCall?.attributes).toMatchObject({
      "gen_ai.system": "replicate",
      "gen_ai.provider.name": "replicate",
      "http.request.method": "POST",
    });
    expect(vendorCall?.attributes["gen_ai.request.model"]).toBe(provider?.attributes["gen_ai.request.model"]);
    const http = childOf(spans, vendorCall!, (s) => s.kind === CLIENT);
    expect(http?.attributes["url.full"]).toContain(new URL(replicate.baseUrl).host);
  });

  it("exports no secret and no prompt anywhere", () => {
    expect(spans.length).toBeGreaterThan(5);
    const everything = receiver.bodies.join("\n");
    for (const secret of [TOKEN, system.adminKey, PROMPT]) expect(everything).not.toContain(secret);
  });

  it("writes logs joined to the trace", () => {
    const lines = system
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The front's access line: the edge's request id, the key's id (never the key), the trace.
    // (The edge's credential check before the body is its own line in the same trace.)
    const access = lines.find(
      (l) =>
        l.service === "front" &&
        l.msg === "rpc" &&
        l.trace_id === traceId &&
        l.method !== "imagegen.edge.v1.EdgeService/CheckCredential",
    );
    expect(access).toMatchObject({
      method: "imagegen.v1.ImageService/TextToImage",
      outcome: "OK",
      request_id: expect.stringMatching(/^req_/),
    });
    expect(access?.key_id).toEqual(expect.any(String));
    expect(system.output()).not.toContain(TOKEN);
    expect(system.output()).not.toContain(system.adminKey);
  });
});

describe("metrics of the request", () => {
  it("arrive over OTLP from the gateway and the front", { timeout: 30_000 }, async () => {
    await eventually(() => (receiver.metricNames("imagegen-gateway").has("imagegen.requests") ? true : undefined));
    await eventually(() =>
      receiver.metricNames("imagegen-front").has("imagegen.provider.duration") ? true : undefined,
    );
    expect(receiver.metricNames("imagegen-front")).toContain("rpc.server.call.duration");
    expect(receiver.metricNames("imagegen-gateway")).toContain("http.server.request.duration");
  });

  it("are scrapeable in Prometheus format on the operator port, not the public one", async () => {
    const text = await (await fetch(`http://127.0.0.1:${gatewayMetricsPort}/metrics`)).text();
    expect(text).toMatch(/imagegen_requests_total\{[^}]*imagegen_surface="rest"[^}]*\} [1-9]/);
    expect(text).toContain("imagegen_request_duration_bucket");
    expect((await fetch(`${system.baseUrl}/metrics`)).status).toBe(404);
  });
});
