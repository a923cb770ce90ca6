import { randomBytes } from "node:crypto";
import type { Logger } from "@imagegen/server-kit";
import { openRedis } from "../store/redis-connection.ts";
import { concurrencyRefusal, createMemoryConcurrencyGate, type ConcurrencyGate } from "./concurrency-gate.ts";

/**
 * How long a slot lives without renewal. The replica holding it renews every third of this; a
 * replica that dies stops renewing, and its slots free themselves after at most this long.
 */
export const SLOT_LEASE_MS = 30_000;

// One sorted set per key: members are slots, scores their expiry. Drops expired slots, then
// takes one if fewer than the cap remain, atomically on the server.
// KEYS: the set; ARGV: now, cap, slot id, lease ms. Returns 1 when taken.
const ACQUIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/**
 * Slots in Redis (REDIS_URL): every replica pointed at it enforces one cap per key. Each slot is
 * a lease, renewed while its generation runs, so a replica that dies mid-generation does not hold
 * the key's slots forever. While Redis is unreachable, acquiring fails closed (503 UNAVAILABLE).
 */
export function createRedisConcurrencyGate(url: string, logger?: Logger, leaseMs = SLOT_LEASE_MS): ConcurrencyGate {
  const connection = openRedis(url, logger);
  // Slots this process holds: set key → slot ids, renewed together.
  const held = new Map<string, Set<string>>();
  const renew = async (): Promise<void> => {
    const expiry = Date.now() + leaseMs;
    await connection.run(async (redis) => {
      const batch = redis.pipeline();
      for (const [key, slots] of held) {
        // XX: a slot already released (or expired and taken over) is not brought back.
        for (const slot of slots) batch.zadd(key, "XX", expiry, slot);
        batch.pexpire(key, leaseMs);
      }
      await batch.exec();
    });
  };
  const timer = setInterval(
    () => {
      if (held.size === 0) return;
      renew().catch((error: unknown) =>
        logger?.warn("concurrency slots not renewed", {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  timer.unref();

  return {
    async acquire(subject, max) {
      const key = `imagegen:cc:${subject}`;
      const slot = randomBytes(9).toString("base64url");
      const taken = await connection.run((redis) =>
        redis.eval(ACQUIRE_SCRIPT, 1, key, String(Date.now()), String(max), slot, String(leaseMs)),
      );
      if (Number(taken) !== 1) throw concurrencyRefusal(max);
      const slots = held.get(key) ?? new Set<string>();
      slots.add(slot);
      held.set(key, slots);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        slots.delete(slot);
        if (slots.size === 0) held.delete(key);
        // Not awaited by the generation that ended; if Redis is away the slot expires on its own.
        connection
          .run((redis) => redis.zrem(key, slot))
          .catch((error: unknown) =>
            logger?.warn("concurrency slot not released; it expires on its own", {
              error: error instanceof Error ? error.message : String(error),
            }),
          );
      };
    },
    async close() {
      clearInterval(timer);
      connection.close();
    },
  };
}

/** The gate the environment asks for: Redis when REDIS_URL is set, otherwise in process. */
export function openConcurrencyGate(env: NodeJS.ProcessEnv = process.env, logger?: Logger): ConcurrencyGate {
  return env.REDIS_URL ? createRedisConcurrencyGate(env.REDIS_URL, logger) : createMemoryConcurrencyGate();
}
