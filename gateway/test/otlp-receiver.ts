import { createServer, type Server } from "node:http";

/** One span as the OTLP http/json exporter sends it, with its process's service.name. */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client (OTLP SpanKind). */
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error (OTLP StatusCode). */
  readonly statusCode: number;
}

/** An in-test OTLP/HTTP collector decoding http/json: every body kept raw, spans flattened. */
export interface OtlpReceiver {
  readonly endpoint: string;
  /** Every request body received, verbatim, for "no secret anywhere" checks. */
  readonly bodies: string[];
  spans(): ReceivedSpan[];
  /** Names of the metrics received per service. */
  metricNames(service: string): Set<string>;
  close(): Promise<void>;
}

type KeyValue = { key: string; value: Record<string, unknown> };

function attributeMap(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? [])
    out[key] = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
  return out;
}

/** Starts the receiver on a free loopback port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(`${req.url} ${Buffer.concat(chunks).toString("utf8")}`);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const parsed = (path: string): Array<Record<string, any>> =>
    bodies
      .filter((b) => b.startsWith(`${path} `))
      .map((b) => JSON.parse(b.slice(path.length + 1)) as Record<string, any>);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bodies,
    spans: () =>
      parsed("/v1/traces").flatMap((body) =>
        (body.resourceSpans ?? []).flatMap((rs: any) => {
          const service = String(attributeMap(rs.resource?.attributes)["service.name"]);
          return (rs.scopeSpans ?? []).flatMap((ss: any) =>
            (ss.spans ?? []).map((s: any) => ({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? "",
              name: s.name,
              kind: s.kind,
              attributes: attributeMap(s.attributes),
              statusCode: Number(s.status?.code ?? 0),
            })),
          );
        }),
      ),
    metricNames: (service) =>
      new Set(
        parsed("/v1/metrics").flatMap((body) =>
          (body.resourceMetrics ?? [])
            .filter((rm: any) => attributeMap(rm.resource?.attributes)["service.name"] === service)
            .flatMap((rm: any) =>
              (rm.scopeMetrics ?? []).flatMap((sm: any) => (sm.metrics ?? []).map((m: any) => String(m.name))),
            ),
        ),
      ),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
