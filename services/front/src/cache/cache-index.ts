import type { Logger } from "@imagegen/server-kit";
import { openRedis } from "../store/redis-connection.ts";

/**
 * Cache key → the completed generation that answers it, per owner (a cache shared between
 * owners would hand one owner's images to another). In process by default; in Redis when
 * REDIS_URL is set so every replica serves the same hits.
 */
export interface CacheIndex {
  get(owner: string, key: string): Promise<string | undefined>;
  set(owner: string, key: string, generationId: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The in-process index: bounded, oldest entries dropped first. */
export function createMemoryCacheIndex(maxEntries = 10_000): CacheIndex {
  const entries = new Map<string, { id: string; expiresAt: number }>();
  return {
    async get(owner, key) {
      const entry = entries.get(`${owner}\n${key}`);
      if (!entry || entry.expiresAt <= Date.now()) return undefined;
      return entry.id;
    },
    async set(owner, key, generationId, ttlMs) {
      const name = `${owner}\n${key}`;
      entries.delete(name);
      entries.set(name, { id: generationId, expiresAt: Date.now() + ttlMs });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    async close() {},
  };
}

/**
 * The shared index in Redis; entries expire on their own. A lookup while Redis is unreachable
 * fails as UNAVAILABLE; a write then is only logged (see `set`).
 */
export function createRedisCacheIndex(url: string, logger?: Logger): CacheIndex {
  const connection = openRedis(url, logger);
  const name = (owner: string, key: string) => `imagegen:cache:${encodeURIComponent(owner)}:${key}`;
  return {
    async get(owner, key) {
      return (await connection.run((redis) => redis.get(name(owner, key)))) ?? undefined;
    },
    async set(owner, key, generationId, ttlMs) {
      // Called for a generation that already completed and is charged: an entry Redis could
      // not take costs a later cache miss, while failing here would turn that answer into an error.
      await connection
        .run((redis) => redis.set(name(owner, key), generationId, "PX", ttlMs))
        .catch((error: Error) => {
          logger?.warn("cache entry not written", { generation_id: generationId, error: error.message });
        });
    },
    async close() {
      connection.close();
    },
  };
}

/** The index the environment asks for: Redis when REDIS_URL is set, otherwise in process. */
export function openCacheIndex(env: NodeJS.ProcessEnv = process.env, logger?: Logger): CacheIndex {
  return env.REDIS_URL ? createRedisCacheIndex(env.REDIS_URL, logger) : createMemoryCacheIndex();
}
