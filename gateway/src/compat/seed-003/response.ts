import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { Model } from "@imagegen/proto/imagegen/v1/model_service_pb";

/** POST /api/generate and /api/variation: {images, model_used, prompt_used}. */
export function renderImages(generation: Generation, prompt: string) {
  return { images: generation.images.map((i) => i.url), model_used: generation.model, prompt_used: prompt };
}

/** GET /api/models: {models: [{id, name}]}, only models that can work from an image now. */
export function renderModels(models: readonly Model[]) {
  return { models: models.filter((m) => m.status === "active").map((m) => ({ id: m.id, name: m.name })) };
}
