/**
 * When `npm start` restarts a child that exited on its own, and when it gives up.
 *
 * The delay doubles with each exit still inside the window (0.5 s, 1 s, 2 s, 4 s … capped at
 * 10 s), so a child that crashes once in a while is back within half a second, while one that
 * cannot start at all (bad config, missing file) stops the system within seconds instead of
 * filling the log forever. Exits older than the window are forgotten: a child that crashes every
 * few minutes is restarted every time.
 */
export interface RestartPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** This many exits of one child within `windowMs` is a crash loop: the system stops. */
  readonly maxExits: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 10_000,
  maxExits: 5,
  windowMs: 60_000,
};

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number; readonly recentExits: number }
  | { readonly restart: false; readonly recentExits: number };

/** Remembers one child's exits and decides what to do after the latest. */
export class RestartTracker {
  private exits: number[] = [];

  constructor(private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY) {}

  /** Records an exit at `now` (ms) and answers: restart after a delay, or stop (a crash loop). */
  recordExit(now: number): RestartDecision {
    this.exits = [...this.exits.filter((at) => now - at < this.policy.windowMs), now];
    const recentExits = this.exits.length;
    if (recentExits >= this.policy.maxExits) return { restart: false, recentExits };
    const delayMs = Math.min(this.policy.firstDelayMs * 2 ** (recentExits - 1), this.policy.maxDelayMs);
    return { restart: true, delayMs, recentExits };
  }
}
