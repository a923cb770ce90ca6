import { createHash } from "node:crypto";
import { clone, toBinary } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { TextToImageRequestSchema, type TextToImageRequest } from "@imagegen/proto/imagegen/v1/image_service_pb";
import type { CacheIndex } from "./cache-index.ts";

/** How long a result answers identical requests. */
export const CACHE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The cache key of a text-to-image request, or undefined when the request may not be served
 * from the cache: `use_cache` false, or unset without a fixed seed (an unseeded request asks
 * for a new image). The key covers everything that shapes the images (prompt, size, format,
 * quality, model, outputs, seed, steps, style, ...) and nothing that does not (request id,
 * webhook, metadata). `resolved` holds what the caller's defaults filled in.
 */
export function textToImageCacheKey(
  req: TextToImageRequest,
  resolved: { model: string; defaultSize: string },
): string | undefined {
  const seeded = req.parameters?.seed !== undefined;
  if (req.useCache === false || (req.useCache === undefined && !seeded)) return undefined;
  const shape = clone(TextToImageRequestSchema, req);
  shape.requestId = "";
  shape.webhookUrl = "";
  shape.metadata = undefined;
  shape.useCache = undefined;
  shape.model = resolved.model;
  const digest = createHash("sha256")
    .update(toBinary(TextToImageRequestSchema, shape))
    .update(`\n${resolved.defaultSize}`)
    .digest("base64url");
  return `cache_${digest.slice(0, 32)}`;
}

/** Looks results up by cache key and remembers completed ones. */
export interface GenerationCache {
  /** The completed generation stored under `key` for `owner`, marked as served from cache. */
  lookup(owner: string, key: string): Promise<Generation | undefined>;
  /** Marks `generation` with its key and remembers it when it completed. */
  remember(owner: string, key: string, generation: Generation): Promise<Generation>;
}

/** A cache over `index`, reading generations through `snapshot` (owner-scoped, fresh URLs). */
export function createGenerationCache(
  index: CacheIndex,
  snapshot: (owner: string, id: string) => Promise<Generation>,
): GenerationCache {
  return {
    async lookup(owner, key) {
      const id = await index.get(owner, key);
      if (!id) return undefined;
      const generation = await snapshot(owner, id).catch((error: unknown) => {
        if (error instanceof ConnectError) return undefined;
        throw error;
      });
      if (!generation || generation.status !== GenerationStatus.COMPLETED) return undefined;
      generation.cached = true;
      generation.cacheKey = key;
      return generation;
    },
    async remember(owner, key, generation) {
      generation.cacheKey = key;
      if (generation.status === GenerationStatus.COMPLETED) await index.set(owner, key, generation.id, CACHE_TTL_MS);
      return generation;
    },
  };
}
