import type { ConnectRouter } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@imagegen/proto/grpc/health/v1/health_pb";

/** Answers whether this process (service "") or one of its services can serve now. */
export type HealthProbe = (service: string) => Promise<boolean | undefined>;

/**
 * grpc.health.v1 over connect-node. `probe` returns true (SERVING), false (NOT_SERVING) or
 * undefined for a service name it does not know (NOT_FOUND, as the protocol asks).
 */
export function registerHealth(router: ConnectRouter, probe: HealthProbe): void {
  const check = async (service: string): Promise<Status> => {
    const ok = await probe(service);
    if (ok === undefined) throw new ConnectError(`unknown service ${service}`, Code.NotFound);
    return ok ? Status.SERVING : Status.NOT_SERVING;
  };
  router.service(Health, {
    async check(req) {
      return { status: await check(req.service) };
    },
    async list() {
      return { statuses: { "": { status: await check("") } } };
    },
    async *watch(req, ctx) {
      // Poll-based watch: send the status whenever it changes, until the client leaves.
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const ok = await probe(req.service);
        const status = ok === undefined ? Status.SERVICE_UNKNOWN : ok ? Status.SERVING : Status.NOT_SERVING;
        if (status !== last) yield { status };
        last = status;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
  });
}
