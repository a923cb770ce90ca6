import { serviceCallerKey, type RequestGate } from "@imagegen/server-kit";
import { authenticate } from "./auth-interceptor.ts";
import { principalKey } from "./principal.ts";
import type { KeyResolver } from "./store-key-verifier.ts";

/**
 * Authenticates a call that reaches the front directly (Envoy's native gRPC route) before its
 * body is read, as the gateway does for the calls it forwards: a flood with a wrong key costs its
 * headers, not its bodies. Calls from our own gateway (a proven service caller) were checked at
 * the edge already and go on to the auth interceptor as before, inside their spans and access
 * lines. The principal found here is reused by the interceptor, so no key is resolved twice.
 */
export function createDirectCallGate(resolveKey: KeyResolver): RequestGate {
  return async (context) => {
    if (context.values.get(serviceCallerKey) !== undefined) return;
    if (!context.service.typeName.startsWith("imagegen.")) return;
    context.values.set(principalKey, await authenticate(context.requestHeader, resolveKey));
  };
}
