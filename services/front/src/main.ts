import { resolve } from "node:path";
import { createDualProtocolServer, createLogger, onShutdownSignal } from "@imagegen/server-kit";
import { startTelemetry } from "@imagegen/telemetry";
import { createFrontApp } from "./front-app.ts";

// First: instruments and tracers used below bind to the SDK this starts (when configured).
const telemetry = await startTelemetry("imagegen-front", "IMAGEGEN_FRONT_METRICS_PORT");

const logger = createLogger("front");
const port = Number(process.env.IMAGEGEN_FRONT_PORT ?? 8081);
const host = process.env.IMAGEGEN_FRONT_HOST ?? "127.0.0.1";
const app = await createFrontApp({
  dataDir: resolve(process.env.IMAGEGEN_DATA_DIR ?? "data"),
  configPath: resolve(process.env.IMAGEGEN_CONFIG ?? "config/imagegen.yaml"),
  publicBaseUrl: process.env.IMAGEGEN_PUBLIC_URL ?? `http://localhost:${process.env.IMAGEGEN_PORT ?? 8080}`,
  providerTimeoutMs: Number(process.env.IMAGEGEN_PROVIDER_TIMEOUT_MS ?? 300_000),
  syncWaitMs: Number(process.env.IMAGEGEN_SYNC_WAIT_MS ?? 60_000),
  leaseMs: Number(process.env.IMAGEGEN_LEASE_MS ?? 30_000),
  breaker: {
    threshold: Number(process.env.IMAGEGEN_BREAKER_FAILURES ?? 5),
    cooldownMs: Number(process.env.IMAGEGEN_BREAKER_COOLDOWN_MS ?? 30_000),
  },
  logger,
});
const server = createDualProtocolServer(app.handler);
logger.info("listening", { port: await server.listen(port, host) });

onShutdownSignal(async () => {
  const drainMs = Number(process.env.IMAGEGEN_DRAIN_MS ?? 10_000);
  await Promise.all([server.close(drainMs), app.drain(drainMs)]);
  await app.close();
  await telemetry.shutdown();
});
