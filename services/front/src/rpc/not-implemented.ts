import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";

/**
 * Registers `service` with the methods of `impl`; every method the contract defines but this
 * release does not implement yet answers NOT_IMPLEMENTED (HTTP 501) instead of a route miss.
 */
export function registerPartial<S extends DescService>(router: ConnectRouter, service: S, impl: Partial<ServiceImpl<S>>): void {
  const full: Record<string, unknown> = { ...impl };
  for (const method of service.methods) {
    if (full[method.localName]) continue;
    const message = `${service.typeName}.${method.name} is not implemented yet`;
    full[method.localName] =
      method.methodKind === "server_streaming"
        ? // eslint-disable-next-line require-yield
          async function* () {
            throw apiError(ErrorReason.NOT_IMPLEMENTED, message);
          }
        : async () => {
            throw apiError(ErrorReason.NOT_IMPLEMENTED, message);
          };
  }
  router.service(service, full as ServiceImpl<S>);
}
