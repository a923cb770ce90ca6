import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageFormat } from "@imagegen/proto/imagegen/v1/types_pb";
import type { Seed002ErrorOut } from "./errors.ts";
import type { Text2ImageParams } from "./request.ts";

const FORMATS: Record<number, string> = {
  [ImageFormat.PNG]: "png",
  [ImageFormat.JPG]: "jpeg",
  [ImageFormat.WEBP]: "webp",
};

/** One image of the answer with its bytes already read. */
export interface RenderedImage {
  readonly base64: string;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  readonly seed: number | null;
}

/** What happened, for the envelope's request/process parts. */
export interface Seed002Run {
  readonly params?: Text2ImageParams;
  readonly started: Date;
  readonly completed?: Date;
  readonly generations: readonly Generation[];
  /** The front's measured provider time of each generation (ms), where it said one. */
  readonly providerMs: readonly (number | undefined)[];
  readonly images: readonly RenderedImage[];
  readonly cacheKey: string | null;
  readonly isFromCache: boolean;
}

// The seed writes timestamps without fractions: "2024-01-01T00:00:00Z".
function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function requestPart(run: Seed002Run) {
  const p = run.params;
  return {
    processor: "text2image",
    timestamp: iso(run.started),
    parameters: p ? { prompt: p.prompt, size: p.size, quality: p.quality, n: p.n } : {},
  };
}

/** The success envelope, every documented field present. */
export function renderSeed002Success(run: Seed002Run & { params: Text2ImageParams; completed: Date }) {
  const duration = run.completed.getTime() - run.started.getTime();
  const first = run.generations[0];
  // A generation answered from the cache was paid for once, by the request that made it.
  const totalCost = run.generations.reduce((sum, g) => sum + (g.cached ? 0 : (g.cost?.usd ?? 0)), 0);
  const images = run.images.map((i) => ({
    image_base64: i.base64,
    image_format: FORMATS[i.format] ?? "png",
    size: `${i.width}x${i.height}`,
    seed: i.seed,
  }));
  return {
    status: "success",
    request: requestPart(run),
    process: {
      id: first?.id ?? "",
      main_processor: "text2image",
      started: iso(run.started),
      completed: iso(run.completed),
      duration,
      sub_processors: [],
      llm_info: {
        // No provider behind this gateway bills image generation in tokens.
        total_tokens: 0,
        total_cost: Math.round(totalCost * 1e6) / 1e6,
        requests: run.generations.map((g, i) => ({
          model: g.model,
          purpose: "text2image",
          tokens: 0,
          // The provider time the front measured; absent rather than guessed when it said none.
          duration_ms: run.providerMs[i],
          processor: g.provider,
        })),
      },
      is_from_cache: run.isFromCache,
      cache_key: run.cacheKey,
    },
    data: {
      image_base64: images[0]?.image_base64 ?? "",
      image_format: images[0]?.image_format ?? "png",
      size: images[0]?.size ?? run.params.size,
      model: first?.model ?? "",
      prompt: run.params.prompt,
      seed: run.params.seed ?? null,
      images,
    },
    error: null,
  };
}

/** The error envelope: request and process present, `data` and the timings null. */
export function renderSeed002Failure(run: Seed002Run, error: Seed002ErrorOut["error"], processId: string) {
  return {
    status: "error",
    request: { ...requestPart(run), parameters: {} },
    process: {
      id: run.generations[0]?.id ?? processId,
      main_processor: "text2image",
      started: iso(run.started),
      completed: null,
      duration: null,
      sub_processors: [],
      llm_info: null,
      is_from_cache: false,
      cache_key: run.cacheKey,
    },
    data: null,
    error,
  };
}
