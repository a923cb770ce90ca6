import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type TestServer } from "../../test/state-servers.ts";
import { createMemoryRateLimiter, type RateLimiter } from "./rate-limiter.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

// One suite, both backends: in process for one replica, Redis for several.
let redis: TestServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const backends: Array<[string, () => RateLimiter]> = [
  ["memory", () => createMemoryRateLimiter()],
  ["redis", () => createRedisRateLimiter(redis.url)],
];

const MINUTE_START = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const windows = [
  { seconds: 60, limit: 3 },
  { seconds: 3600, limit: 5 },
];

describe.each(backends)("rate limiter on %s", (_name, open) => {
  let limiter: RateLimiter;
  beforeAll(() => {
    limiter = open();
  });
  afterAll(() => limiter?.close());
  const subject = () => `s_${Math.random().toString(36).slice(2)}`;

  it("allows up to the limit, counting down what remains, then refuses", async () => {
    const s = subject();
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const d = await limiter.hit(s, windows, MINUTE_START + i);
      seen.push([d.allowed, d.windows[0]?.remaining, d.windows[1]?.remaining]);
    }
    expect(seen).toEqual([
      [true, 2, 4],
      [true, 1, 3],
      [true, 0, 2],
      [false, 0, 2],
    ]);
  });

  it("a refused request does not burn the longer windows", async () => {
    const s = subject();
    for (let i = 0; i < 10; i++) await limiter.hit(s, windows, MINUTE_START + i);
    const nextMinute = await limiter.hit(s, windows, MINUTE_START + 60_000);
    expect([nextMinute.allowed, nextMinute.windows[1]?.remaining]).toEqual([true, 1]);
  });

  it("reports when each window restarts", async () => {
    const d = await limiter.hit(subject(), windows, MINUTE_START + 61_000);
    expect(d.windows.map((w) => w.resetAt)).toEqual([MINUTE_START + 120_000, MINUTE_START + 3_600_000]);
  });

  it("keeps subjects apart", async () => {
    const [a, b] = [subject(), subject()];
    for (let i = 0; i < 3; i++) await limiter.hit(a, windows, MINUTE_START);
    expect((await limiter.hit(a, windows, MINUTE_START)).allowed).toBe(false);
    expect((await limiter.hit(b, windows, MINUTE_START)).allowed).toBe(true);
  });
});

describe("rate limiter on redis, two clients (two replicas)", () => {
  it("enforces one limit between them", async () => {
    const [one, two] = [createRedisRateLimiter(redis.url), createRedisRateLimiter(redis.url)];
    const s = `shared_${Math.random()}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await (i % 2 ? two : one).hit(s, windows, MINUTE_START)).allowed);
    await Promise.all([one.close(), two.close()]);
    expect(results).toEqual([true, true, true, false]);
  });
});
