import type { WindowState } from "./rate-limiter.ts";
import type { QuotaState } from "./quota.ts";

/**
 * Seed 004's headers. Of the minute/hour/day windows the one closest to refusing is reported
 * (fewest remaining, the sooner reset on a tie): that is the limit a client must pace itself by.
 */
export function rateLimitHeaders(windows: readonly WindowState[], now: number): Record<string, string> {
  const tightest = [...windows].sort((a, b) => a.remaining - b.remaining || a.resetAt - b.resetAt)[0];
  if (!tightest) return {};
  return {
    "x-ratelimit-limit": String(tightest.limit),
    "x-ratelimit-remaining": String(tightest.remaining),
    "x-ratelimit-reset": String(Math.ceil(tightest.resetAt / 1000)),
    "x-ratelimit-reset-after": String(Math.max(0, Math.ceil((tightest.resetAt - now) / 1000))),
  };
}

/** Seed 004's X-Quota-* headers: monthly credits. */
export function quotaHeaders(quota: QuotaState): Record<string, string> {
  return {
    "x-quota-limit": String(quota.limit),
    "x-quota-remaining": String(roundCredits(quota.remaining)),
    "x-quota-reset": String(Math.ceil(quota.resetAt / 1000)),
  };
}

/** Seconds until every exhausted window has room again. */
export function retryAfterSeconds(windows: readonly WindowState[], now: number): number {
  const exhausted = windows.filter((w) => w.remaining === 0);
  return Math.max(1, ...exhausted.map((w) => Math.ceil((w.resetAt - now) / 1000)));
}

function roundCredits(credits: number): number {
  return Math.round(credits * 1000) / 1000;
}
