import type { HandlerContext } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { principalKey, type Principal } from "../auth/principal.ts";

/** The authenticated caller; the auth interceptor guarantees one for imagegen.* methods. */
export function principalOf(ctx: HandlerContext): Principal {
  const principal = ctx.values.get(principalKey);
  if (!principal) throw apiError(ErrorReason.UNAUTHORIZED, "missing API key");
  return principal;
}
