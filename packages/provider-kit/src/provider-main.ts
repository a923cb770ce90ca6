import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { ProviderService } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import {
  createDualProtocolServer,
  createLogger,
  createServiceIdentityGate,
  loadServiceIdentity,
  onShutdownSignal,
  registerHealth,
} from "@imagegen/server-kit";
import { createServerTracingInterceptor, providerGenAiAttributes, startTelemetry } from "@imagegen/telemetry";
import { envName, readProviderEnvironment } from "./provider-config.ts";
import type { ProviderDefinition } from "./provider-definition.ts";
import { createProviderService } from "./provider-service.ts";

/** What a provider process adds to the kit's own start and stop. */
export interface ProviderMainOptions {
  /** Runs after the server has drained (e.g. stops the local provider's model worker). */
  readonly onShutdown?: () => Promise<void>;
}

/**
 * A provider process: serves `definition` over gRPC/Connect on IMAGEGEN_PROVIDER_<ID>_PORT
 * (default `defaultPort`), host IMAGEGEN_PROVIDER_HOST (default 127.0.0.1), with grpc health,
 * answering only callers with the deployment's service identity, and drains on SIGTERM/SIGINT. A provider's main.ts is one call to this.
 */
export async function runProviderMain(
  definition: ProviderDefinition,
  defaultPort: number,
  options: ProviderMainOptions = {},
): Promise<void> {
  const telemetry = await startTelemetry(
    `imagegen-provider-${definition.id}`,
    `IMAGEGEN_PROVIDER_${envName(definition.id)}_METRICS_PORT`,
  );
  const logger = createLogger(`provider-${definition.id}`);
  const port = Number(process.env[`IMAGEGEN_PROVIDER_${envName(definition.id)}_PORT`] ?? defaultPort);
  const service = createProviderService(definition, { logger });
  const handler = connectNodeAdapter({
    // It holds a vendor token: only this deployment's services may call it (health stays open to probes).
    requestGate: createServiceIdentityGate(loadServiceIdentity(`provider-${definition.id}`), {
      required: true,
      open: [Health.typeName],
      logger,
    }),
    interceptors: [createServerTracingInterceptor({ describe: providerGenAiAttributes(definition.id) })],
    routes(router) {
      router.service(ProviderService, service);
      registerHealth(router, async (name) =>
        ["", ProviderService.typeName, Health.typeName].includes(name) ? true : undefined,
      );
    },
  });
  const server = createDualProtocolServer(handler);
  const bound = await server.listen(port, process.env.IMAGEGEN_PROVIDER_HOST ?? "127.0.0.1");
  const { notConfigured } = readProviderEnvironment(definition, process.env);
  logger.info("listening", { port: bound, configured: !notConfigured, status_reason: notConfigured });
  onShutdownSignal(async () => {
    await server.close(5_000);
    await options.onShutdown?.();
    await telemetry.shutdown();
  });
}
