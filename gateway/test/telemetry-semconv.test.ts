import { randomBytes } from "node:crypto";
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// The OTel semantic conventions on one trace per public entry (REST, Connect, gRPC), exported
// over OTLP by every process: HTTP server spans named `{method} {http.route}` with the request's
// route, scheme and address; `rpc.system` what is on the wire, the same at both ends of each hop,
// with that system's status attribute; the edge's outermost span records a failed RPC's status;
// ERROR exactly where the conventions put it (CLIENT: any failure; SERVER: the server's faults).
const SERVER = 2;
const CLIENT = 3;
const [UNSET, ERROR] = [0, 2];
let system: RunningSystem;
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  system = await startSystem({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "50",
  });
});
afterAll(async () => {
  await system?.stop();
  await receiver?.close();
});

const traceparent = () => {
  const traceId = randomBytes(16).toString("hex");
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString("hex")}-01` };
};

/** The trace's spans once `ready` holds for them (each process exports in its own batches). */
async function traceOf(traceId: string, ready: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  for (;;) {
    const spans = receiver.spans().filter((s) => s.traceId === traceId);
    if (ready(spans)) return spans;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const edgeOf = (spans: ReceivedSpan[]) =>
  spans.find(
    (s) => s.service === "imagegen-gateway" && s.kind === SERVER && s.attributes["http.request.method"] !== undefined,
  );

/** Every RPC hop inside the system: the CLIENT span and the SERVER span it caused agree on `rpc.system`. */
function expectHopsAgree(spans: ReceivedSpan[]): void {
  const clients = spans.filter((s) => s.kind === CLIENT && s.attributes["rpc.system"] !== undefined);
  expect(clients.length).toBeGreaterThan(0);
  for (const client of clients) {
    const server = spans.find((s) => s.parentSpanId === client.spanId && s.kind === SERVER);
    expect(server, client.name).toBeDefined();
    expect(server?.attributes["rpc.system"], client.name).toBe(client.attributes["rpc.system"]);
  }
  for (const span of spans) {
    // Each system's own status attribute, never the other's.
    if (span.attributes["rpc.system"] === "connect_rpc")
      expect(span.attributes["rpc.grpc.status_code"], span.name).toBeUndefined();
    if (span.attributes["rpc.system"] === "grpc")
      expect(span.attributes["rpc.connect_rpc.error_code"], span.name).toBeUndefined();
  }
}

/** One gRPC call over h2c with an empty message: the response headers and trailers together. */
async function grpcCall(
  path: string,
  traceparentHeader: string,
  authorization: string,
): Promise<http2.IncomingHttpHeaders> {
  const session = http2.connect(system.baseUrl);
  try {
    return await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/grpc",
        te: "trailers",
        authorization,
        traceparent: traceparentHeader,
      });
      let got: http2.IncomingHttpHeaders = {};
      stream.on("response", (h) => (got = h));
      stream.on("trailers", (t) => (got = { ...got, ...t }));
      stream.on("error", reject);
      stream.on("end", () => resolve(got));
      stream.resume();
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  } finally {
    session.close();
  }
}

describe("OTel semantic conventions, one trace per entry", () => {
  it("REST: the edge span is `GET /api/v2/generations/{id}` with route, scheme, address; internal hops speak connect_rpc at both ends", {
    timeout: 30_000,
  }, async () => {
    const created = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${system.adminKey}` },
      body: JSON.stringify({ prompt: "a lighthouse", model: "local", parameters: { width: 64, height: 64 } }),
    });
    const { id } = (await created.json()) as { id: string };
    const { traceId, header } = traceparent();
    const res = await fetch(`${system.baseUrl}/api/v2/generations/${id}`, {
      headers: { authorization: `Bearer ${system.adminKey}`, traceparent: header },
    });
    expect(res.status).toBe(200);
    const spans = await traceOf(
      traceId,
      (all) => edgeOf(all) !== undefined && all.some((s) => s.service === "imagegen-front" && s.kind === SERVER),
    );
    const edge = edgeOf(spans)!;
    const port = new URL(system.baseUrl).port;
    expect(edge.name).toBe("GET /api/v2/generations/{id}");
    expect(edge.attributes).toMatchObject({
      "http.route": "/api/v2/generations/{id}",
      "url.scheme": "http",
      "server.address": "127.0.0.1",
      "server.port": Number(port),
      "http.response.status_code": 200,
    });
    expect(edge.statusCode).toBe(UNSET);
    const toFront = spans.find((s) => s.kind === CLIENT && s.attributes["rpc.method"] === "GetGeneration");
    expect(toFront?.attributes).toMatchObject({
      "rpc.system": "connect_rpc",
      "rpc.service": "imagegen.v1.ImageService",
    });
    expectHopsAgree(spans);
  });

  it("Connect: a refused argument is connect_rpc's invalid_argument on every span; only CLIENT spans are ERROR", {
    timeout: 30_000,
  }, async () => {
    const { traceId, header } = traceparent();
    const res = await fetch(`${system.baseUrl}/imagegen.v1.ImageService/TextToImage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${system.adminKey}`, traceparent: header },
      body: JSON.stringify({ prompt: "a lighthouse", model: "local", parameters: { width: 100 } }),
    });
    expect(res.status).toBe(400);
    const spans = await traceOf(
      traceId,
      (all) =>
        edgeOf(all) !== undefined &&
        all.some(
          (s) => s.service === "imagegen-front" && s.kind === SERVER && s.attributes["rpc.method"] === "TextToImage",
        ),
    );
    const edge = edgeOf(spans)!;
    expect(edge.name).toBe("POST /imagegen.v1.ImageService/TextToImage");
    expect(edge.attributes).toMatchObject({
      "http.route": "/imagegen.v1.ImageService/TextToImage",
      "http.response.status_code": 400,
      "rpc.system": "connect_rpc",
      "rpc.service": "imagegen.v1.ImageService",
      "rpc.method": "TextToImage",
      "rpc.connect_rpc.error_code": "invalid_argument",
    });
    const calls = spans.filter((s) => s.attributes["rpc.method"] === "TextToImage");
    // The edge's HTTP span, the edge's RPC span, its client call to the front, the front's span.
    expect(calls.map((s) => [s.service, s.kind]).sort()).toEqual(
      [
        ["imagegen-front", SERVER],
        ["imagegen-gateway", CLIENT],
        ["imagegen-gateway", SERVER],
        ["imagegen-gateway", SERVER],
      ].sort(),
    );
    for (const span of calls) {
      expect(span.attributes["rpc.connect_rpc.error_code"], `${span.service} ${span.name}`).toBe("invalid_argument");
      expect(span.statusCode, `${span.service} ${span.name}`).toBe(span.kind === CLIENT ? ERROR : UNSET);
    }
    expectHopsAgree(spans);
  });

  it("gRPC: a call refused UNAUTHENTICATED at the edge carries rpc.grpc.status_code 16 on the edge's span", {
    timeout: 30_000,
  }, async () => {
    const { traceId, header } = traceparent();
    const headers = await grpcCall("/imagegen.v1.ImageService/TextToImage", header, "Bearer not-a-key");
    expect([headers[":status"], headers["grpc-status"]]).toEqual([200, "16"]);
    const spans = await traceOf(
      traceId,
      (all) => edgeOf(all) !== undefined && all.some((s) => s.service === "imagegen-front" && s.kind === SERVER),
    );
    const edge = edgeOf(spans)!;
    expect(edge.name).toBe("POST /imagegen.v1.ImageService/TextToImage");
    expect(edge.attributes).toMatchObject({
      "http.response.status_code": 200,
      "rpc.system": "grpc",
      "rpc.service": "imagegen.v1.ImageService",
      "rpc.method": "TextToImage",
      "rpc.grpc.status_code": 16,
      "network.protocol.version": "2.0",
    });
    // UNAUTHENTICATED is the caller's fault: not an ERROR on a server span.
    expect(edge.statusCode).toBe(UNSET);
    // The edge asked the front about the key (its internal hop speaks Connect at both ends).
    expect(
      spans.some(
        (s) =>
          s.kind === CLIENT &&
          s.attributes["rpc.method"] === "CheckCredential" &&
          s.attributes["rpc.system"] === "connect_rpc",
      ),
    ).toBe(true);
    expectHopsAgree(spans);
  });

  it("gRPC: an unknown method is one `_OTHER` name (no new series per invented name), UNIMPLEMENTED and an ERROR", {
    timeout: 30_000,
  }, async () => {
    const { traceId, header } = traceparent();
    const headers = await grpcCall("/imagegen.v1.ImageService/NoSuchMethod", header, `Bearer ${system.adminKey}`);
    expect([headers[":status"], headers["grpc-status"]]).toEqual([200, "12"]);
    const spans = await traceOf(traceId, (all) => edgeOf(all) !== undefined);
    const edge = edgeOf(spans)!;
    expect(edge.name).toBe("POST");
    expect(edge.attributes["http.route"]).toBeUndefined();
    expect(edge.attributes).toMatchObject({
      "rpc.system": "grpc",
      "rpc.method": "_OTHER",
      "rpc.grpc.status_code": 12,
      "imagegen.method": "_OTHER",
    });
    expect(edge.statusCode).toBe(ERROR);
  });
});
