import { describeError } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { BodyBudget, SMALL_BODY_BYTES } from "./body-budget.ts";

const MiB = 1024 * 1024;

describe("BodyBudget", () => {
  it("holds large bodies up to the limit, refuses past it with Retry-After, and gives back on close", () => {
    const budget = new BodyBudget(10 * MiB);
    const a = budget.open();
    a.reserve(6 * MiB);
    const b = budget.open();
    const refusal = (() => {
      try {
        b.reserve(6 * MiB);
      } catch (error) {
        return describeError(error);
      }
    })();
    expect(refusal?.row.name).toBe("UNAVAILABLE");
    expect(refusal?.retryAfterSeconds).toBe(2);
    expect(budget.bytesInFlight).toBe(6 * MiB);
    a.close();
    a.close();
    expect(budget.bytesInFlight).toBe(0);
    b.reserve(6 * MiB);
    expect(budget.bytesInFlight).toBe(6 * MiB);
  });

  it("counts a body as it grows, and a total already reserved costs nothing", () => {
    const budget = new BodyBudget(4 * MiB);
    const account = budget.open();
    for (const total of [MiB, 2 * MiB, 2 * MiB, 3 * MiB]) account.reserve(total);
    expect(budget.bytesInFlight).toBe(3 * MiB);
    expect(() => account.reserve(5 * MiB)).toThrow(/retry shortly/);
    expect(budget.bytesInFlight).toBe(3 * MiB);
  });

  it("always admits small bodies, even with the budget spent", () => {
    const budget = new BodyBudget(2 * MiB);
    budget.open().reserve(2 * MiB);
    const small = budget.open();
    expect(() => small.reserve(SMALL_BODY_BYTES)).not.toThrow();
    expect(() => small.reserve(SMALL_BODY_BYTES + 1)).toThrow();
  });
});
