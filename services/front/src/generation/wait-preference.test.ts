import { describe, expect, it } from "vitest";
import { waitMsFor } from "./wait-preference.ts";

describe("waitMsFor", () => {
  it.each([
    [null, 60_000],
    ["respond-async", 0],
    ["respond-async, wait=10", 0],
    ["wait=5", 5_000],
    ["wait=600", 60_000],
    ["wait=abc", 60_000],
    ["handling=lenient", 60_000],
  ])("Prefer: %s waits %i ms", (prefer, expected) => {
    expect(waitMsFor(prefer, 60_000)).toBe(expected);
  });
});
