import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker.ts";

describe("CircuitBreaker", () => {
  it("opens after the threshold, cools down, lets one trial through, and closes on success", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 3, cooldownMs: 1000, now: () => now });
    breaker.failure();
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe("open");
    expect(breaker.allow()).toBe(false);
    now = 1001;
    expect(breaker.state).toBe("half-open");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false); // only one trial at a time
    breaker.success();
    expect(breaker.state).toBe("closed");
    expect(breaker.allow()).toBe(true);
  });

  it("re-opens when the half-open trial fails", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 100, now: () => now });
    breaker.failure();
    now = 150;
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe("open");
    expect(breaker.wouldAllow()).toBe(false);
  });

  it("resets the count on success", () => {
    const breaker = new CircuitBreaker({ threshold: 2, cooldownMs: 100 });
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe("closed");
  });
});
