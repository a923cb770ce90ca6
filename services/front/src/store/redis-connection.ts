import type { Logger } from "@imagegen/server-kit";
import { Redis } from "ioredis";
import { stateUnavailable } from "./state-unavailable.ts";

// A healthy Redis answers in well under a millisecond. Past this a command fails instead of
// holding its request: while Redis is away, ioredis would keep it queued until it reconnects.
const COMMAND_TIMEOUT_MS = 2_000;

/** One connection to the Redis of REDIS_URL (rate-limit counters, cache index). */
export interface RedisConnection {
  /**
   * Runs `commands`. While Redis is unreachable (down, restarting, not answering in time) they
   * fail as 503 UNAVAILABLE; ioredis keeps reconnecting meanwhile, so the next call after Redis
   * is back succeeds.
   */
  run<T>(commands: (redis: Redis) => Promise<T>): Promise<T>;
  close(): void;
}

export function openRedis(url: string, logger?: Logger): RedisConnection {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, commandTimeout: COMMAND_TIMEOUT_MS });
  // ioredis emits 'error' on every failed reconnect attempt; log the loss and the recovery only.
  let lost = false;
  redis.on("error", (error: Error) => {
    if (!lost) logger?.warn("Redis unreachable; reconnecting", { error: error.message });
    lost = true;
  });
  redis.on("ready", () => {
    if (lost) logger?.info("Redis reachable again");
    lost = false;
  });
  return {
    async run(commands) {
      try {
        return await commands(redis);
      } catch (error) {
        // A reply error is Redis refusing the command itself (our bug), not an outage.
        throw (error as Error).name === "ReplyError" ? error : stateUnavailable("Redis", error);
      }
    },
    close: () => redis.disconnect(),
  };
}
