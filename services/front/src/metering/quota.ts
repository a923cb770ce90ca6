import { createContextKey } from "@connectrpc/connect";
import type { Principal } from "../auth/principal.ts";
import type { Store } from "../store/store.ts";
import { tierLimits, type TierLimits } from "./tier-config.ts";

/** An owner's monthly credits as the X-Quota-* headers report them. */
export interface QuotaState {
  readonly limit: number;
  readonly used: number;
  readonly remaining: number;
  /** Start of next month (UTC), ms since the epoch. */
  readonly resetAt: number;
}

/**
 * The owner's monthly credits as the metering interceptor read them at the start of this
 * request (its X-Quota-* headers): admission checks the same figures instead of reading the store
 * a second time within one call.
 */
export const requestQuotaKey = createContextKey<QuotaState | undefined>(undefined, {
  description: "monthly credits at the request's start",
});

/**
 * Monthly credit quotas. What counts is what generations actually cost (recorded from the
 * images produced), kept as a running total in the shared store, so every replica sees one balance.
 */
export class Quotas {
  constructor(
    private readonly store: Store,
    private readonly tiers: ReadonlyMap<string, TierLimits>,
  ) {}

  /** The key's own quota, or its tier's. */
  limitOf(principal: Principal): number {
    if (principal.monthlyCreditQuota) return principal.monthlyCreditQuota;
    return tierLimits(this.tiers, principal.tier)?.monthlyCredits ?? 0;
  }

  async state(principal: Principal, now = Date.now()): Promise<QuotaState> {
    const d = new Date(now);
    const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const resetAt = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    const limit = this.limitOf(principal);
    const used = await this.store.creditsSpentInMonth(principal.owner, monthStart);
    return { limit, used, remaining: Math.max(0, limit - used), resetAt };
  }
}
