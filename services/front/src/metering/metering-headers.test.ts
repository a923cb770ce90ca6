import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rateLimitHeaders, retryAfterSeconds } from "./metering-headers.ts";
import { DEFAULT_TIERS, loadTierConfig } from "./tier-config.ts";

const NOW = 1_800_000_030_000;
const minute = { seconds: 60, limit: 10, remaining: 4, resetAt: 1_800_000_060_000 };
const hour = { seconds: 3600, limit: 100, remaining: 90, resetAt: 1_800_003_600_000 };

describe("rate-limit headers", () => {
  it.each([
    [
      "reports the window with the fewest requests left",
      [minute, hour],
      { limit: "10", remaining: "4", reset: "1800000060", after: "30" },
    ],
    [
      "prefers the sooner reset on a tie",
      [{ ...hour, remaining: 4 }, minute],
      { limit: "10", remaining: "4", reset: "1800000060", after: "30" },
    ],
    [
      "switches to the hour once it is the tighter one",
      [minute, { ...hour, remaining: 1 }],
      { limit: "100", remaining: "1", reset: "1800003600", after: "3570" },
    ],
  ])("%s", (_title, windows, expected) => {
    expect(rateLimitHeaders(windows, NOW)).toEqual({
      "x-ratelimit-limit": expected.limit,
      "x-ratelimit-remaining": expected.remaining,
      "x-ratelimit-reset": expected.reset,
      "x-ratelimit-reset-after": expected.after,
    });
  });

  it("asks a refused client to wait until every exhausted window has room", () => {
    expect(
      retryAfterSeconds(
        [
          { ...minute, remaining: 0 },
          { ...hour, remaining: 0 },
        ],
        NOW,
      ),
    ).toBe(3570);
    expect(retryAfterSeconds([{ ...minute, remaining: 0 }, hour], NOW)).toBe(30);
  });
});

describe("tier config", () => {
  const write = (yaml: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "tiers-")), "c.yaml");
    writeFileSync(file, yaml);
    return file;
  };

  it("keeps seed 004's limits for what the file leaves out", () => {
    const tiers = loadTierConfig(write("tiers:\n  free: { per_minute: 3 }\n  custom: { per_day: 7 }\n"));
    expect(tiers.get("free")).toEqual({ ...DEFAULT_TIERS.free, perMinute: 3 });
    expect(tiers.get("basic")).toEqual({
      perMinute: 60,
      perHour: 1000,
      perDay: 10_000,
      monthlyCredits: 10_000,
      maxConcurrent: 4,
    });
    expect(tiers.get("custom")?.perDay).toBe(7);
  });

  it.each([
    ["a string", "tiers:\n  free: { per_minute: lots }\n"],
    ["a negative number", "tiers:\n  pro: { per_day: -1 }\n"],
  ])("refuses %s as a limit, naming the entry", (_title, yaml) => {
    expect(() => loadTierConfig(write(yaml))).toThrow(/tiers\.\w+\.per_\w+ must be a number/);
  });
});
