import type { Logger } from "@imagegen/server-kit";
import { openRedis } from "../store/redis-connection.ts";
import { createMemoryRateLimiter, windowStart, type RateLimiter } from "./rate-limiter.ts";

// Checks every window, then counts in all of them or none, atomically on the server.
// KEYS: one counter per window; ARGV: limits, then expiries in ms. Returns the counts after.
const HIT_SCRIPT = `
local n = #KEYS
local counts = {}
local allowed = 1
for i = 1, n do
  counts[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
  if counts[i] >= tonumber(ARGV[i]) then allowed = 0 end
end
if allowed == 1 then
  for i = 1, n do
    counts[i] = redis.call('INCR', KEYS[i])
    if counts[i] == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[n + i]) end
  end
end
table.insert(counts, 1, allowed)
return counts`;

/**
 * Counters in Redis (REDIS_URL): every replica pointed at it enforces one limit. While Redis is
 * unreachable, requests fail closed (503 UNAVAILABLE): no limit is enforced by guessing.
 */
export function createRedisRateLimiter(url: string, logger?: Logger): RateLimiter {
  const connection = openRedis(url, logger);
  return {
    async hit(subject, windows, now) {
      const starts = windows.map((w) => windowStart(now, w.seconds));
      const keys = windows.map((w, i) => `imagegen:rl:${subject}:${w.seconds}:${starts[i]}`);
      const expiries = windows.map((w, i) => String(starts[i]! + w.seconds * 1000 - now + 1000));
      const limits = windows.map((w) => String(w.limit));
      const result = (await connection.run((redis) =>
        redis.eval(HIT_SCRIPT, keys.length, ...keys, ...limits, ...expiries),
      )) as number[];
      const [allowed, ...counts] = result;
      return {
        allowed: allowed === 1,
        windows: windows.map((w, i) => ({
          seconds: w.seconds,
          limit: w.limit,
          remaining: Math.max(0, w.limit - Number(counts[i])),
          resetAt: starts[i]! + w.seconds * 1000,
        })),
      };
    },
    async close() {
      connection.close();
    },
  };
}

/** The limiter the environment asks for: Redis when REDIS_URL is set, otherwise in process. */
export async function openRateLimiter(env: NodeJS.ProcessEnv = process.env, logger?: Logger): Promise<RateLimiter> {
  return env.REDIS_URL ? createRedisRateLimiter(env.REDIS_URL, logger) : createMemoryRateLimiter();
}
