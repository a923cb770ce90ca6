import type { ConnectRouter } from "@connectrpc/connect";
import { EdgeService } from "@imagegen/proto/imagegen/edge/v1/edge_service_pb";
import { principalOf } from "./principal-of.ts";

/**
 * EdgeService: the gateway's check before it reads a body. The auth interceptor has already
 * refused a missing, unknown or revoked credential by the time this runs, so answering is
 * all that is left; the metering interceptor does not count these calls.
 */
export function registerEdgeService(router: ConnectRouter): void {
  router.service(EdgeService, {
    checkCredential: (_req, ctx) => ({ keyId: principalOf(ctx).keyId }),
  });
}
