import { ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ConcurrencyGate } from "./concurrency-gate.ts";

describe("concurrency gate", () => {
  it("admits up to the cap per key, refuses the next with RATE_LIMITED naming the limit, and reopens on release", () => {
    const gate = new ConcurrencyGate();
    const first = gate.acquire("key:a", 2);
    gate.acquire("key:a", 2);
    let refused: unknown;
    try {
      gate.acquire("key:a", 2);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).message).toContain("at most 2 generations");
    expect(() => gate.acquire("key:b", 2)).not.toThrow();
    first();
    first(); // a second release of the same slot is a no-op
    expect(() => gate.acquire("key:a", 2)).not.toThrow();
    expect(() => gate.acquire("key:a", 2)).toThrow(/at most 2/);
  });
});
