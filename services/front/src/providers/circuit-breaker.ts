/**
 * A circuit breaker per provider: after `threshold` consecutive provider-side failures the
 * provider is skipped (its routes fall through to the next) for `cooldownMs`; then one request is
 * let through (half-open) and its outcome closes or re-opens the circuit. Keeps a failing vendor
 * from being hammered and keeps callers off a route that cannot answer.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(options: { threshold: number; cooldownMs: number; now?: () => number }) {
    this.threshold = options.threshold;
    this.cooldownMs = options.cooldownMs;
    this.now = options.now ?? Date.now;
  }

  /** "closed" (normal), "open" (skip), or "half-open" (one trial request allowed). */
  get state(): "closed" | "open" | "half-open" {
    if (this.failures < this.threshold) return "closed";
    return this.now() < this.openUntil ? "open" : "half-open";
  }

  /** Whether a request may go to this provider now; in half-open, only the first caller gets true. */
  allow(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until an open circuit lets its trial request through; 0 unless open. */
  msUntilTrial(): number {
    return this.state === "open" ? this.openUntil - this.now() : 0;
  }

  /** Whether a request could go now, without claiming the half-open trial (for listings). */
  wouldAllow(): boolean {
    return this.state !== "open";
  }

  success(): void {
    this.failures = 0;
    this.openUntil = 0;
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    this.probing = false;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }
}
