import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { principalKey } from "../auth/principal.ts";
import { quotaHeaders, rateLimitHeaders, retryAfterSeconds } from "./metering-headers.ts";
import { requestQuotaKey, type Quotas } from "./quota.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { tierLimits, type TierLimits } from "./tier-config.ts";

export interface MeteringDeps {
  readonly limiter: RateLimiter;
  readonly quotas: Quotas;
  readonly tiers: ReadonlyMap<string, TierLimits>;
  readonly now?: () => number;
}

/**
 * Counts every imagegen.* call against its key's tier (minute, hour, day) and puts the
 * X-RateLimit-* and X-Quota-* headers on every answer, errors included; over the limit it
 * answers RATE_LIMITED with Retry-After before the handler runs. Runs after authentication.
 * The edge's credential check (imagegen.edge.*) is not a call of the client's and is not counted.
 */
export function createMeteringInterceptor(deps: MeteringDeps): Interceptor {
  const now = deps.now ?? Date.now;
  return (next) => async (req) => {
    const principal = req.contextValues.get(principalKey);
    if (
      !principal ||
      !req.service.typeName.startsWith("imagegen.") ||
      req.service.typeName.startsWith("imagegen.edge.")
    )
      return next(req);
    const tier = tierLimits(deps.tiers, principal.tier);
    const at = now();
    const windows = [
      { seconds: 60, limit: tier?.perMinute ?? 0 },
      { seconds: 3600, limit: tier?.perHour ?? 0 },
      { seconds: 86_400, limit: tier?.perDay ?? 0 },
    ];
    const [decision, quota] = await Promise.all([
      deps.limiter.hit(`key:${principal.keyId}`, windows, at),
      deps.quotas.state(principal, at),
    ]);
    req.contextValues.set(requestQuotaKey, quota);
    const headers = { ...rateLimitHeaders(decision.windows, at), ...quotaHeaders(quota) };
    if (!decision.allowed) {
      const retryAfter = retryAfterSeconds(decision.windows, at);
      const error = apiError(
        ErrorReason.RATE_LIMITED,
        `rate limit of the ${principal.tier} tier exceeded; retry after ${retryAfter} s`,
        {
          retryAfterSeconds: retryAfter,
          metadata: { tier: principal.tier },
        },
      );
      for (const [name, value] of Object.entries(headers)) error.metadata.set(name, value);
      error.metadata.set("retry-after", String(retryAfter));
      throw error;
    }
    try {
      const res = await next(req);
      for (const [name, value] of Object.entries(headers)) res.header.set(name, value);
      return res;
    } catch (error) {
      // Only our own errors get the headers; anything else stays as thrown (and generic).
      if (error instanceof ConnectError)
        for (const [name, value] of Object.entries(headers)) error.metadata.set(name, value);
      throw error;
    }
  };
}
