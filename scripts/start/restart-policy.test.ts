import { describe, expect, it } from "vitest";
import { RestartTracker } from "./restart-policy.ts";

describe("RestartTracker", () => {
  it("doubles the delay with each exit inside the window and stops at the fifth", () => {
    const tracker = new RestartTracker();
    const decisions = [0, 1_000, 2_000, 3_000, 4_000].map((at) => tracker.recordExit(at));
    expect(decisions.slice(0, 4)).toEqual([
      { restart: true, delayMs: 500, recentExits: 1 },
      { restart: true, delayMs: 1_000, recentExits: 2 },
      { restart: true, delayMs: 2_000, recentExits: 3 },
      { restart: true, delayMs: 4_000, recentExits: 4 },
    ]);
    expect(decisions[4]).toEqual({ restart: false, recentExits: 5 });
  });

  it("forgets exits older than the window, so rare crashes are restarted forever", () => {
    const tracker = new RestartTracker();
    for (let i = 0; i < 20; i++) expect(tracker.recordExit(i * 30_001)).toMatchObject({ restart: true });
    expect(tracker.recordExit(20 * 30_001).recentExits).toBe(2);
  });

  it("caps the delay", () => {
    const tracker = new RestartTracker({ firstDelayMs: 500, maxDelayMs: 10_000, maxExits: 100, windowMs: 60_000 });
    let last = tracker.recordExit(0);
    for (let i = 1; i < 10; i++) last = tracker.recordExit(i);
    expect(last).toEqual({ restart: true, delayMs: 10_000, recentExits: 10 });
  });
});
