import { createDualProtocolServer, createLogger, onShutdownSignal } from "@imagegen/server-kit";
import { startTelemetry } from "@imagegen/telemetry";
import { createFrontApp } from "./front-app.ts";
import { frontOptionsFromEnv } from "./front-options.ts";

// First: instruments and tracers used below bind to the SDK this starts (when configured).
const telemetry = await startTelemetry("imagegen-front", "IMAGEGEN_FRONT_METRICS_PORT");

const logger = createLogger("front");
const port = Number(process.env.IMAGEGEN_FRONT_PORT ?? 8081);
const host = process.env.IMAGEGEN_FRONT_HOST ?? "127.0.0.1";
const app = await createFrontApp(frontOptionsFromEnv(logger));
const server = createDualProtocolServer(app.handler);
logger.info("listening", { port: await server.listen(port, host) });

onShutdownSignal(async () => {
  const drainMs = Number(process.env.IMAGEGEN_DRAIN_MS ?? 10_000);
  await Promise.all([server.close(drainMs), app.drain(drainMs)]);
  await app.close();
  await telemetry.shutdown();
});
