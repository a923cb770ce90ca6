import { createServer, type Http2Server } from "node:http2";
import { ConnectError, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { apiError, errorRow, ErrorReason } from "@imagegen/errors";
import { ProviderService } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenAiContextSpanProcessor } from "./gen-ai-context.ts";
import { providerGenAiAttributes } from "./provider-attributes.ts";
import { createClientTracingInterceptor } from "./rpc-client-interceptor.ts";
import { createServerTracingInterceptor } from "./rpc-server-interceptor.ts";

// A real gRPC hop over h2c on loopback: the client interceptor injects traceparent, the server
// interceptor continues the trace; work inside a server stream (a "vendor call") nests under it.
const exporter = new InMemorySpanExporter();
let server: Http2Server;
let baseUrl: string;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new GenAiContextSpanProcessor(), new SimpleSpanProcessor({ exporter })] }),
  );
  const vendorTracer = trace.getTracer("vendor");
  const handler = connectNodeAdapter({
    interceptors: [createServerTracingInterceptor({ describe: providerGenAiAttributes("acme") })],
    routes(router) {
      router.service(ProviderService, {
        describeProvider() {
          throw apiError(ErrorReason.UPSTREAM_RATE_LIMITED, "slow down");
        },
        async *generate() {
          yield { event: { case: "accepted", value: { jobId: "j1" } } };
          // Work after the first message still runs under the RPC span.
          await new Promise((r) => setTimeout(r, 1));
          vendorTracer.startSpan("acme create", { kind: SpanKind.CLIENT }).end();
          yield { event: { case: "completed", value: { imageCount: 1 } } };
        },
      });
    },
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client() {
  const interceptors = [createClientTracingInterceptor({ peer: "provider-acme", provider: "acme" })];
  return createClient(ProviderService, createGrpcTransport({ baseUrl, interceptors }));
}

describe("Connect tracing interceptors", () => {
  it("make one trace of a server-streaming call, with the vendor span under the provider span", async () => {
    exporter.reset();
    const root = trace.getTracer("test").startSpan("root");
    await context.with(trace.setSpan(context.active(), root), async () => {
      for await (const _ of client().generate({ model: "acme-1", prompt: "a secret prompt", numOutputs: 2 })) void _;
    });
    root.end();
    const spans = exporter.getFinishedSpans();
    const byKind = (kind: SpanKind, name: string) => spans.find((s) => s.kind === kind && s.name === name);
    const clientSpan = byKind(SpanKind.CLIENT, "imagegen.provider.v1.ProviderService/Generate");
    const serverSpan = byKind(SpanKind.SERVER, "imagegen.provider.v1.ProviderService/Generate");
    const vendor = byKind(SpanKind.CLIENT, "acme create");
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([root.spanContext().traceId]));
    expect(clientSpan?.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(vendor?.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
    expect(clientSpan?.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.grpc.status_code": 0,
      "gen_ai.request.model": "acme-1",
    });
    expect(serverSpan?.attributes).toMatchObject({
      "rpc.service": "imagegen.provider.v1.ProviderService",
      "rpc.method": "Generate",
      "gen_ai.provider.name": "acme",
      "gen_ai.request.model": "acme-1",
      "gen_ai.request.choice.count": 2,
    });
    // GenAI attributes follow into the vendor call; the prompt is not recorded unless opted in.
    expect(vendor?.attributes).toMatchObject({
      "gen_ai.operation.name": "generate_content",
      "gen_ai.request.model": "acme-1",
    });
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain("a secret prompt");
  });

  it("records the gRPC status and our error reason on both sides of a failed call", async () => {
    exporter.reset();
    const error = await client()
      .describeProvider({})
      .catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    const spans = exporter.getFinishedSpans().filter((s) => s.name.endsWith("/DescribeProvider"));
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        "rpc.grpc.status_code": errorRow(ErrorReason.UPSTREAM_RATE_LIMITED).code,
        "error.type": "UPSTREAM_RATE_LIMITED",
      });
    }
  });
});
