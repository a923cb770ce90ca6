/** One counting window of a rate limit, e.g. 10 requests per 60 s. */
export interface RateWindow {
  readonly seconds: number;
  readonly limit: number;
}

/** A window's state after a request was counted (or refused). */
export interface WindowState {
  readonly seconds: number;
  readonly limit: number;
  readonly remaining: number;
  /** When the window restarts, ms since the epoch. */
  readonly resetAt: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  readonly windows: readonly WindowState[];
}

/**
 * Fixed-window counters shared by whoever shares the backend (in process, or Redis across
 * replicas). A request counts in every window only when every window still has room, so a
 * client refused for the minute does not also burn its hour and day.
 */
export interface RateLimiter {
  hit(subject: string, windows: readonly RateWindow[], now: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/** Start of the fixed window holding `now`. */
export function windowStart(now: number, seconds: number): number {
  return Math.floor(now / (seconds * 1000)) * seconds * 1000;
}

/** The in-process default: one replica, counters lost on restart. */
export function createMemoryRateLimiter(): RateLimiter {
  const counts = new Map<string, { count: number; resetAt: number }>();
  let sweptAt = 0;
  return {
    async hit(subject, windows, now) {
      if (now - sweptAt > 60_000) {
        sweptAt = now;
        for (const [k, v] of counts) if (v.resetAt <= now) counts.delete(k);
      }
      const slots = windows.map((w) => {
        const start = windowStart(now, w.seconds);
        const key = `${subject}:${w.seconds}:${start}`;
        return { w, key, resetAt: start + w.seconds * 1000, count: counts.get(key)?.count ?? 0 };
      });
      const allowed = slots.every((s) => s.count < s.w.limit);
      if (allowed) for (const s of slots) counts.set(s.key, { count: ++s.count, resetAt: s.resetAt });
      return {
        allowed,
        windows: slots.map((s) => ({
          seconds: s.w.seconds,
          limit: s.w.limit,
          remaining: Math.max(0, s.w.limit - s.count),
          resetAt: s.resetAt,
        })),
      };
    },
    async close() {},
  };
}
