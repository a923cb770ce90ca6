import type { Interceptor, Transport } from "@connectrpc/connect";
import { createDualProtocolServer, createLogger, serviceCallerKey } from "@imagegen/server-kit";
import { createFrontApp } from "./front-app.ts";
import { frontOptionsFromEnv } from "./front-options.ts";
import { createInProcessTransport } from "./in-process-transport.ts";

/** A front running inside the gateway's process (IMAGEGEN_FRONT_IN_PROCESS=true). */
export interface InProcessFront {
  /** The gateway's way in: the front's RPCs called in memory, no socket, no HTTP/2, no identity HMACs. */
  readonly transport: Transport;
  /** Where the front also listens (OAuth's HTTP endpoints, other replicas' gateways, Envoy). */
  readonly url: string;
  /** Lets running generations finish (bounded), closes the listener, then the front's state. */
  close(drainMs: number): Promise<void>;
}

/**
 * Starts the front in this process. The gateway calls its handlers directly (in-process-transport.ts):
 * every call still passes the front's interceptor chain (tracing, auth, metering, validation,
 * moderation) with its deadline, headers and errors, so the edge sees what a front process would
 * answer; only the link and the encoding are gone. The caller is this process's own gateway, so it
 * is trusted as the proven internal caller that a service token makes a remote gateway. The front
 * still listens on IMAGEGEN_FRONT_PORT (a free port if unset) for what reaches it over the network.
 */
export async function startInProcessFront(env: NodeJS.ProcessEnv = process.env): Promise<InProcessFront> {
  const logger = createLogger("front");
  const app = await createFrontApp(frontOptionsFromEnv(logger, env));
  const server = createDualProtocolServer(app.handler);
  const host = env.IMAGEGEN_FRONT_HOST ?? "127.0.0.1";
  const port = await server.listen(Number(env.IMAGEGEN_FRONT_PORT ?? 0), host);
  // Not "listening": that line is the process's own public port, which npm start's supervisor reads.
  logger.info("listening in the gateway's process", { port });
  const transport = createInProcessTransport(app.routes, [trustedCaller("gateway"), ...app.interceptors]);
  return {
    transport,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    async close(drainMs) {
      await Promise.all([server.close(drainMs), app.drain(drainMs)]);
      await app.close();
    },
  };
}

// What the service-identity gate records for a caller that proved it belongs to this deployment.
function trustedCaller(caller: string): Interceptor {
  return (next) => (request) => {
    request.contextValues.set(serviceCallerKey, caller);
    return next(request);
  };
}
