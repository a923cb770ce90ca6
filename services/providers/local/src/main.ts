import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import {
  createDualProtocolServer,
  createLogger,
  createServiceIdentityGate,
  loadServiceIdentity,
  onShutdownSignal,
  registerHealth,
} from "@imagegen/server-kit";
import { createServerTracingInterceptor, providerGenAiAttributes, startTelemetry } from "@imagegen/telemetry";
import { registerLocalProvider } from "./local-provider.ts";
import { closeSuperResolution } from "./super-resolution-model.ts";

// First: tracers used below bind to the SDK this starts (when configured).
const telemetry = await startTelemetry("imagegen-provider-local", "IMAGEGEN_PROVIDER_LOCAL_METRICS_PORT");

const logger = createLogger("provider-local");
const port = Number(process.env.IMAGEGEN_PROVIDER_LOCAL_PORT ?? 8090);
const handler = connectNodeAdapter({
  // Only this deployment's services may call it (health stays open to orchestrators' probes).
  requestGate: createServiceIdentityGate(loadServiceIdentity("provider-local"), { required: true, open: [Health.typeName], logger }),
  interceptors: [createServerTracingInterceptor({ describe: providerGenAiAttributes("local") })],
  routes(router) {
    registerLocalProvider(router);
    registerHealth(router, async (service) => (service === "" || service !== Health.typeName ? true : undefined));
  },
});
const server = createDualProtocolServer(handler);
logger.info("listening", { port: await server.listen(port, process.env.IMAGEGEN_PROVIDER_HOST ?? "127.0.0.1") });
onShutdownSignal(async () => {
  await server.close(5_000);
  await closeSuperResolution();
  await telemetry.shutdown();
});
