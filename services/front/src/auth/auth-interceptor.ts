import type { Interceptor } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { apiKeyFrom } from "./api-key-header.ts";
import { principalKey, type Principal } from "./principal.ts";
import type { KeyResolver } from "./store-key-verifier.ts";
import { checkTokenScope } from "./token-scope.ts";

/**
 * Authenticates every imagegen.* call. A missing and a wrong key get the same 401 wording
 * apart from the hint, and neither echoes what was sent; a revoked key reads as invalid.
 */
export function createAuthInterceptor(resolveKey: KeyResolver): Interceptor {
  return (next) => async (req) => {
    if (!req.service.typeName.startsWith("imagegen.")) return next(req);
    // A direct call was authenticated before its body (direct-call-gate.ts); reuse that answer.
    const principal = req.contextValues.get(principalKey) ?? (await authenticate(req.header, resolveKey));
    if (req.service.typeName.startsWith("imagegen.admin.") && !principal.admin) {
      throw apiError(ErrorReason.FORBIDDEN, "this call needs an admin key");
    }
    // An OAuth access token reaches only the RPCs its scopes cover, on every surface alike.
    if (principal.oauth) checkTokenScope(principal.oauth.scopes, req.service.typeName, req.method.name);
    req.contextValues.set(principalKey, principal);
    return next(req);
  };
}

/** The caller of a request with these headers; UNAUTHORIZED for a missing, unknown or revoked key. */
export async function authenticate(headers: Headers, resolveKey: KeyResolver): Promise<Principal> {
  const presented = apiKeyFrom(headers);
  if (!presented) {
    throw apiError(ErrorReason.UNAUTHORIZED, "missing API key: send Authorization: Bearer <key> or X-API-Key: <key>");
  }
  const principal = await resolveKey(presented);
  if (!principal) throw apiError(ErrorReason.UNAUTHORIZED, "invalid API key");
  return principal;
}
