import { apiError, ErrorReason } from "@imagegen/errors";
import { requiredScope } from "../oauth/oauth-scopes.ts";

/**
 * Refuses an RPC the access token's scopes do not cover: FORBIDDEN (HTTP 403, gRPC
 * PERMISSION_DENIED) with `required_scope` naming exactly the missing scope. RPCs no scope
 * opens (app registration, admin, preferences) need an API key.
 */
export function checkTokenScope(scopes: readonly string[], service: string, method: string): void {
  const needed = requiredScope(service, method);
  if (needed === "none") return;
  if (needed === undefined) {
    throw apiError(ErrorReason.FORBIDDEN, "this call needs an API key: an OAuth access token cannot make it");
  }
  if (!scopes.includes(needed)) {
    throw apiError(ErrorReason.FORBIDDEN, `this access token lacks the scope "${needed}"`, {
      metadata: { required_scope: needed },
    });
  }
}
