import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService, TextToImageRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { callFrontUnary } from "../../rpc/front-proxy.ts";
import { awaitGeneration } from "../shared/await-generation.ts";
import type { CompatDeps } from "../shared/compat-deps.ts";
import { frontCallFor, readFields } from "../shared/http-input.ts";
import { isRoute, sendCompatError, sendCompatJson } from "../shared/json-response.ts";
import { storedImageBytes } from "../shared/stored-image.ts";
import { renderSeed002Error } from "./errors.ts";
import { cacheKeyOf, parseText2Image, type Text2ImageParams } from "./request.ts";
import { renderSeed002Failure, renderSeed002Success, type RenderedImage } from "./response.ts";

/** The use case whose model the operator configures (config/imagegen.yaml `use_cases`), resolved by the front. */
const USE_CASE = "text2image";

/** Seed 002: POST /api/text2image/generate, JSON or multipart, answered in its envelope. */
export function createSeed002Routes(deps: CompatDeps) {
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    if (!isRoute(req, url, "POST", "/api/text2image/generate")) return false;
    const call = frontCallFor(req, res);
    const started = new Date();
    let params: Text2ImageParams | undefined;
    let cacheKey: string | null = null;
    const generations: Generation[] = [];
    try {
      params = parseText2Image(await readFields(req, deps.maxBodyBytes));
      cacheKey = params.useCache ? cacheKeyOf(params, USE_CASE) : null;
      for (const job of jobsOf(params)) {
        const created = await callFrontUnary(
          deps.front,
          ImageService.method.textToImage,
          create(TextToImageRequestSchema, {
            prompt: params.prompt,
            // The front picks the operator's model (and provider) for this use case.
            useCase: USE_CASE,
            parameters: { width: params.width, height: params.height, numOutputs: job.count, seed: job.seed },
            // The cache is the front's idempotency record: the same key returns the first result.
            requestId: cacheKey ? `${cacheKey}:${job.seed ?? "any"}` : "",
          }),
          call,
        );
        generations.push(await awaitGeneration(deps.front, created, call));
      }
      const images = await renderImages(deps, generations);
      const body = renderSeed002Success({
        params,
        started,
        completed: new Date(),
        generations,
        images,
        cacheKey,
        isFromCache: /^hit/i.test(call.responseHeaders.get("x-cache") ?? "") || generations.every((g) => createdBefore(g, started)),
      });
      sendCompatJson(req, res, 200, body, call.responseHeaders);
    } catch (error) {
      const rendered = renderSeed002Error(error);
      const body = renderSeed002Failure({ params, started, generations, images: [], cacheKey, isFromCache: false }, rendered.error, `process-${randomUUID()}`);
      sendCompatError(req, res, { ...rendered, body }, call.responseHeaders);
    }
    return true;
  };
}

// A replayed (cached) generation was created before this request began. Creation times are
// whole seconds, so a replay within the same second reads as fresh: the result is still the
// cached one, only the flag is conservative.
function createdBefore(generation: Generation, started: Date): boolean {
  return Number(generation.createdAt?.seconds ?? 0n) < Math.floor(started.getTime() / 1000);
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
      base64: (await storedImageBytes(image.url, deps.imagesDir, deps.signingKey)).toString("base64"),
      format: image.format,
      width: image.width,
      height: image.height,
      seed: image.seed ?? null,
    })),
  );
}
