import { apiError, ErrorReason } from "@imagegen/errors";
import type { Principal } from "../auth/principal.ts";
import type { ConcurrencyGate } from "./concurrency-gate.ts";
import type { QuotaState, Quotas } from "./quota.ts";
import { tierLimits, type TierLimits } from "./tier-config.ts";

/** What a generation about to be dispatched would cost at most. */
export interface AdmissionRequest {
  readonly principal: Principal;
  readonly modelId: string;
  /** Credits of one image of the model. */
  readonly creditsPerImage: number;
  readonly numOutputs: number;
  /** The owner's credits as this request read them already (metering), if it did. */
  readonly quota?: QuotaState;
}

/** Decides whether a generation may start; the returned function ends its admission. */
export type Admit = (request: AdmissionRequest) => Promise<() => void>;

/**
 * The checks between a valid, in-scope request and a dispatched one: the owner's
 * monthly credits (the most this generation could cost must fit; it is charged afterwards from
 * what was produced) and the key's cap on concurrent generations.
 */
export function createAdmission(quotas: Quotas, gate: ConcurrencyGate, tiers: ReadonlyMap<string, TierLimits>): Admit {
  return async ({ principal, creditsPerImage, numOutputs, quota: read }) => {
    const estimate = creditsPerImage * Math.max(1, numOutputs);
    if (estimate > 0) {
      const quota = read ?? (await quotas.state(principal));
      if (quota.used + estimate > quota.limit) {
        throw apiError(
          ErrorReason.QUOTA_EXCEEDED,
          `monthly credit quota exceeded: ${quota.remaining} of ${quota.limit} credits left, this request needs up to ${estimate}`,
          {
            metadata: {
              quota_limit: String(quota.limit),
              quota_remaining: String(quota.remaining),
              quota_reset: String(Math.ceil(quota.resetAt / 1000)),
            },
          },
        );
      }
    }
    const max = tierLimits(tiers, principal.tier)?.maxConcurrent ?? 1;
    return gate.acquire(`key:${principal.keyId}`, max);
  };
}
