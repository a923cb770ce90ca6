import { createHash, randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import {
  GetGenerationRequestSchema,
  ImageService,
  TextToImageRequestSchema,
} from "@imagegen/proto/imagegen/v1/image_service_pb";
import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { callFrontUnary, type FrontCallOptions } from "../../rpc/front-proxy.ts";
import { awaitGeneration } from "../shared/await-generation.ts";
import type { CompatDeps } from "../shared/compat-deps.ts";
import { frontCallFor, readFields } from "../shared/http-input.ts";
import { isRoute, sendCompatError, sendCompatJson } from "../shared/json-response.ts";
import { storedImageBytes } from "../shared/stored-image.ts";
import { renderSeed002Error } from "./errors.ts";
import { parseText2Image, type Text2ImageParams } from "./request.ts";
import { renderSeed002Failure, renderSeed002Success, type RenderedImage } from "./response.ts";

/**
 * The front's header with a completed generation's measured provider time in milliseconds
 * (services/front/src/generation/provider-duration.ts).
 */
const PROVIDER_DURATION_HEADER = "x-generation-provider-ms";

/** The use case whose model the operator configures (config/imagegen.yaml `use_cases`), resolved by the front. */
const USE_CASE = "text2image";

/** Seed 002: POST /api/text2image/generate, JSON or multipart, answered in its envelope. */
export function createSeed002Routes(deps: CompatDeps) {
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    if (!isRoute(req, url, "POST", "/api/text2image/generate")) return false;
    const call = frontCallFor(req, res);
    const started = new Date();
    let params: Text2ImageParams | undefined;
    const generations: Generation[] = [];
    const providerMs: Array<number | undefined> = [];
    try {
      params = parseText2Image(await readFields(req, deps.maxBodyBytes));
      for (const job of jobsOf(params)) {
        const created = await callFrontUnary(
          deps.front,
          ImageService.method.textToImage,
          create(TextToImageRequestSchema, {
            prompt: params.prompt,
            // The front picks the operator's model (and provider) for this use case.
            useCase: USE_CASE,
            parameters: { width: params.width, height: params.height, numOutputs: job.count, seed: job.seed },
            // The front's cache answers an identical earlier request and says so (`cached`).
            useCache: params.useCache,
          }),
          call,
        );
        // The front's measured provider time of a generation completed within the create call.
        let measured = takeProviderMs(call);
        const followed = await awaitGeneration(deps.front, created, call);
        // One that outlived the create call was followed to its end: its time comes with a read.
        if (measured === undefined && followed !== created) measured = await readProviderMs(deps, followed.id, call);
        // A generation followed to its end keeps what the create call's answer said of the cache
        // (a copy: the front's answers are read-only here, it may keep them — in-process-transport.ts).
        generations.push({ ...followed, cached: created.cached, cacheKey: created.cacheKey });
        providerMs.push(measured);
      }
      const images = await renderImages(deps, generations);
      const body = renderSeed002Success({
        params,
        started,
        completed: new Date(),
        generations,
        providerMs,
        images,
        cacheKey: cacheKeyOf(generations),
        // The front's own answer: true exactly when every generation came from its cache.
        isFromCache: generations.length > 0 && generations.every((g) => g.cached),
      });
      sendCompatJson(req, res, 200, body, call.responseHeaders);
    } catch (error) {
      const rendered = renderSeed002Error(error);
      // Only a generation that reached the front's cache has a key to show; a refused request has none.
      const body = renderSeed002Failure(
        { params, started, generations, providerMs, images: [], cacheKey: cacheKeyOf(generations), isFromCache: false },
        rendered.error,
        `process-${randomUUID()}`,
      );
      sendCompatError(req, res, { ...rendered, body }, call.responseHeaders);
    }
    return true;
  };
}

/**
 * The front's measured provider time (ms) of the generation its last answer carried, taken off
 * the client's headers: the body says it per request (`llm_info.requests[].duration_ms`).
 */
function takeProviderMs(call: FrontCallOptions): number | undefined {
  const value = call.responseHeaders.get(PROVIDER_DURATION_HEADER);
  call.responseHeaders.delete(PROVIDER_DURATION_HEADER);
  return value === null || !/^\d+$/.test(value) ? undefined : Number(value);
}

async function readProviderMs(deps: CompatDeps, id: string, call: FrontCallOptions): Promise<number | undefined> {
  await callFrontUnary(deps.front, ImageService.method.getGeneration, create(GetGenerationRequestSchema, { id }), call);
  return takeProviderMs(call);
}

/**
 * The seed's `cache_key`: the front's cache key of the generation (null when caching did not
 * apply, e.g. `useCache: false`); with `seeds`, one key naming the previews' keys together.
 */
function cacheKeyOf(generations: readonly Generation[]): string | null {
  const keys = generations.map((g) => g.cacheKey).filter(Boolean);
  if (keys.length === 0) return null;
  if (keys.length === 1) return keys[0]!;
  return `cache_${createHash("sha256").update(keys.join(",")).digest("base64url").slice(0, 32)}`;
}

/**
 * One canonical call per listed seed, so every preview has exactly the seed the client asked
 * for; without `seeds`, one call for all `n` images (with `seed` when given).
 */
function jobsOf(params: Text2ImageParams): Array<{ count: number; seed?: number }> {
  if (params.seeds.length > 0) return params.seeds.slice(0, Math.max(1, params.n)).map((seed) => ({ count: 1, seed }));
  return [{ count: params.n, seed: params.seed }];
}

async function renderImages(deps: CompatDeps, generations: readonly Generation[]): Promise<RenderedImage[]> {
  const images = generations.flatMap((g) => g.images);
  return Promise.all(
    images.map(async (image) => ({
      base64: (await storedImageBytes(image.url, deps.images, deps.signingKey)).toString("base64"),
      format: image.format,
      width: image.width,
      height: image.height,
      seed: image.seed ?? null,
    })),
  );
}
