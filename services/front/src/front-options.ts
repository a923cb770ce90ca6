import { resolve } from "node:path";
import type { Logger } from "@imagegen/server-kit";
import type { FrontOptions } from "./front-app.ts";

/** The front's settings from its environment, as its own process and an in-process front read them. */
export function frontOptionsFromEnv(logger: Logger, env: NodeJS.ProcessEnv = process.env): FrontOptions {
  return {
    dataDir: resolve(env.IMAGEGEN_DATA_DIR ?? "data"),
    configPath: resolve(env.IMAGEGEN_CONFIG ?? "config/imagegen.yaml"),
    publicBaseUrl: env.IMAGEGEN_PUBLIC_URL ?? `http://localhost:${env.IMAGEGEN_PORT ?? 8080}`,
    providerTimeoutMs: Number(env.IMAGEGEN_PROVIDER_TIMEOUT_MS ?? 300_000),
    syncWaitMs: Number(env.IMAGEGEN_SYNC_WAIT_MS ?? 60_000),
    leaseMs: Number(env.IMAGEGEN_LEASE_MS ?? 30_000),
    breaker: {
      threshold: Number(env.IMAGEGEN_BREAKER_FAILURES ?? 5),
      cooldownMs: Number(env.IMAGEGEN_BREAKER_COOLDOWN_MS ?? 30_000),
    },
    logger,
  };
}
