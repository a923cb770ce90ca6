import { join, resolve } from "node:path";
import { loadSigningKey } from "@imagegen/image-urls";
import {
  createDualProtocolServer,
  createInternalTransport,
  createLogger,
  createServiceIdentityInterceptor,
  loadServiceSecret,
  onShutdownSignal,
  ServiceIdentity,
} from "@imagegen/server-kit";
import { createClientTracingInterceptor, startTelemetry } from "@imagegen/telemetry";
import { createGatewayApp } from "./gateway-app.ts";
import { openBlobReader } from "./http/image-blobs.ts";
import { createFailoverTransport } from "./rpc/failover-transport.ts";
import { withoutLink } from "./rpc/recoverable-call.ts";

// First: instruments and tracers used below bind to the SDK this starts (when configured).
const telemetry = await startTelemetry("imagegen-gateway", "IMAGEGEN_METRICS_PORT");

const logger = createLogger("gateway");
const port = Number(process.env.IMAGEGEN_PORT ?? 8080);
const host = process.env.IMAGEGEN_HOST ?? "0.0.0.0";
const dataDir = resolve(process.env.IMAGEGEN_DATA_DIR ?? "data");
// One front, or several replicas separated by commas (calls spread over them; see failover-transport).
const frontUrls = (process.env.IMAGEGEN_FRONT_URL ?? "http://127.0.0.1:8081")
  .split(",")
  .map((url) => url.trim())
  .filter(Boolean);
// Room for a 32 MiB inline image (the largest init_image the API accepts) plus JSON around it.
const maxBodyBytes = Number(process.env.IMAGEGEN_MAX_BODY_BYTES ?? 48 * 1024 * 1024);

// Every call to the front carries this deployment's identity; a front that cannot prove it holds
// the same secret is never used (its calls fail UNAVAILABLE, so /readyz turns 503).
const identity = new ServiceIdentity("gateway", loadServiceSecret(dataDir));

// Image bytes where the front writes them: the shared PostgreSQL when there is one, else files.
const images = openBlobReader(join(dataDir, "images"), process.env, logger);

// IMAGEGEN_FRONT_IN_PROCESS=true (npm start's default): the front runs in this process and is called
// in memory — a quarter less CPU and added latency per generation than a front process at
// concurrency 1, 6–12% less CPU at 64 on two cores (README, Performance). Loaded only then: a separate
// edge (deploy/) never holds the front's code.
const inProcessFront =
  process.env.IMAGEGEN_FRONT_IN_PROCESS === "true"
    ? await (await import("@imagegen/front/src/in-process-front.ts")).startInProcessFront()
    : undefined;
const remoteFront = () =>
  createFailoverTransport(
    frontUrls.map((baseUrl) =>
      createInternalTransport(baseUrl, [
        createClientTracingInterceptor({ peer: "front" }),
        createServiceIdentityInterceptor(identity, "front", { logger, peerUrl: baseUrl }),
      ]),
    ),
  );

let accepting = true;
const app = createGatewayApp({
  front: inProcessFront ? withoutLink(inProcessFront.transport) : remoteFront(),
  images,
  signingKey: loadSigningKey(dataDir),
  corsOrigins: (process.env.IMAGEGEN_CORS_ORIGINS ?? "*").split(",").map((s) => s.trim()),
  maxBodyBytes,
  // Four of the largest bodies at once; past it large uploads wait (503 + Retry-After).
  bodyBudgetBytes: Number(process.env.IMAGEGEN_BODY_BUDGET_BYTES ?? 4 * maxBodyBytes),
  credentialTtlMs: Number(process.env.IMAGEGEN_EDGE_CREDENTIAL_TTL_MS ?? 10_000),
  logger,
  frontHttpUrls: inProcessFront ? [inProcessFront.url] : frontUrls,
  isAccepting: () => accepting,
});
const server = createDualProtocolServer(app, {
  headersTimeoutMs: Number(process.env.IMAGEGEN_HEADERS_TIMEOUT_MS ?? 30_000),
  // Longer than clients' and load balancers' idle timeouts (60 s is common), so the client, not
  // the gateway, ends an idle connection: otherwise a request sent as the gateway closes it fails.
  keepAliveTimeoutMs: Number(process.env.IMAGEGEN_KEEP_ALIVE_TIMEOUT_MS ?? 65_000),
  requestTimeoutMs: Number(process.env.IMAGEGEN_REQUEST_TIMEOUT_MS ?? 300_000),
});
const bound = await server.listen(port, host);
logger.info("listening", {
  port: bound,
  front: inProcessFront ? `in process (also ${inProcessFront.url})` : frontUrls.join(","),
  image_storage: images.kind,
});

// Readiness fails first; load balancers (Envoy health checks, k8s endpoints) need a moment to
// notice before the listener closes. In-flight requests then drain within IMAGEGEN_DRAIN_MS.
const shutdownDelayMs = Number(process.env.IMAGEGEN_SHUTDOWN_DELAY_MS ?? 0);
const drainMs = Number(process.env.IMAGEGEN_DRAIN_MS ?? 10_000);
onShutdownSignal(
  async () => {
    accepting = false;
    logger.info("draining", { delay_ms: shutdownDelayMs, drain_ms: drainMs });
    if (shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, shutdownDelayMs));
    await server.close(drainMs);
    await inProcessFront?.close(drainMs);
    await images.close();
    await telemetry.shutdown();
  },
  // The in-process front drains after the listener (its generations may outlive the requests).
  shutdownDelayMs + (inProcessFront ? 2 : 1) * drainMs + 5_000,
);
