import { metrics, type Counter, type Histogram, type UpDownCounter } from "@opentelemetry/api";

/** Every instrument the system records; names and attributes are documented in docs/sre.md. */
export interface ImagegenInstruments {
  /** Edge requests by `imagegen.surface`, `imagegen.method`, `http.response.status_code`. */
  readonly requests: Counter;
  readonly requestDuration: Histogram;
  /** `http.server.request.duration` (OTel HTTP conventions): method, route, status, scheme. */
  readonly httpServerDuration: Histogram;
  /** RPC server / client call durations (OTel RPC conventions), by rpc.service/method and status. */
  readonly rpcServerDuration: Histogram;
  readonly rpcClientDuration: Histogram;
  /** Provider generations running now, by `imagegen.provider`. */
  readonly generationsInFlight: UpDownCounter;
  /** Provider generation latency and failures by provider, model and `error.type` (the reason). */
  readonly providerDuration: Histogram;
  readonly providerErrors: Counter;
  /** Answers served from the generation cache. */
  readonly cacheHits: Counter;
  /** Requests refused by a rate limit or quota, by `error.type` (RATE_LIMITED, QUOTA_EXCEEDED). */
  readonly rejections: Counter;
  /** Webhook delivery attempts by `imagegen.outcome` (delivered, retrying, failed). */
  readonly webhookDeliveries: Counter;
}

const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
let instruments: ImagegenInstruments | undefined;

/**
 * The instruments, created on first use: the metrics API has no proxy meter, so creating them
 * before `startTelemetry` ran would bind them to the no-op provider for good.
 */
export function imagegenMetrics(): ImagegenInstruments {
  if (instruments) return instruments;
  const meter = metrics.getMeter("@imagegen/telemetry");
  const seconds = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: "s", description, advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } });
  instruments = {
    requests: meter.createCounter("imagegen.requests", {
      description: "Requests at the edge, by surface, method and HTTP status",
    }),
    requestDuration: seconds("imagegen.request.duration", "Edge request latency, by surface, method and HTTP status"),
    httpServerDuration: seconds("http.server.request.duration", "Duration of HTTP server requests at the edge"),
    rpcServerDuration: seconds("rpc.server.call.duration", "Served RPC latency"),
    rpcClientDuration: seconds("rpc.client.call.duration", "Outgoing RPC latency"),
    generationsInFlight: meter.createUpDownCounter("imagegen.generations.in_flight", {
      description: "Provider generations running now",
    }),
    providerDuration: seconds(
      "imagegen.provider.duration",
      "Provider generation latency, by provider, model and outcome",
    ),
    providerErrors: meter.createCounter("imagegen.provider.errors", {
      description: "Failed provider generations, by provider, model and reason",
    }),
    cacheHits: meter.createCounter("imagegen.cache.hits", { description: "Generations answered from the cache" }),
    rejections: meter.createCounter("imagegen.rejections", {
      description: "Requests refused by rate limits or quotas, by reason",
    }),
    webhookDeliveries: meter.createCounter("imagegen.webhook.deliveries", {
      description: "Webhook delivery attempts, by outcome",
    }),
  };
  return instruments;
}
