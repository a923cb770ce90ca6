import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@imagegen/proto/grpc/health/v1/health_pb";

/**
 * Answers whether this process (service "") or one of its services can serve now. The call's
 * context lets a probe add detail headers for callers it trusts.
 */
export type HealthProbe = (service: string, context: HandlerContext) => Promise<boolean | undefined>;

/**
 * A response header of a health check with why parts of a process are not used, as a JSON
 * object (ASCII only), for this deployment's own callers: the gateway shows it in /readyz.
 */
export const READINESS_DETAIL_HEADER = "x-imagegen-readiness-detail";

/**
 * grpc.health.v1 over connect-node. `probe` returns true (SERVING), false (NOT_SERVING) or
 * undefined for a service name it does not know (NOT_FOUND, as the protocol asks).
 */
export function registerHealth(router: ConnectRouter, probe: HealthProbe): void {
  const check = async (service: string, context: HandlerContext): Promise<Status> => {
    const ok = await probe(service, context);
    if (ok === undefined) throw new ConnectError(`unknown service ${service}`, Code.NotFound);
    return ok ? Status.SERVING : Status.NOT_SERVING;
  };
  router.service(Health, {
    async check(req, context) {
      return { status: await check(req.service, context) };
    },
    async list(_req, context) {
      return { statuses: { "": { status: await check("", context) } } };
    },
    async *watch(req, ctx) {
      // Poll-based watch: send the status whenever it changes, until the client leaves.
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const ok = await probe(req.service, ctx);
        const status = ok === undefined ? Status.SERVICE_UNKNOWN : ok ? Status.SERVING : Status.NOT_SERVING;
        if (status !== last) yield { status };
        last = status;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
  });
}
