import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { errorRow } from "@imagegen/errors";

/** The event name of a finished generation, or undefined while it runs. */
export function generationEventName(generation: Generation): string | undefined {
  if (generation.status === GenerationStatus.COMPLETED) return "generation.completed";
  if (generation.status === GenerationStatus.FAILED) return "generation.failed";
  return undefined;
}

/** Seed 004's "Generation Completed" `data` (and the same shape, with `error`, for failures). */
export function generationEventData(generation: Generation, owner: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    generation_id: generation.id,
    user_id: owner,
    model: generation.model,
    prompt: generation.prompt,
    images: generation.images.map((i) => ({ id: i.id, url: i.url })),
    cost: { credits: generation.cost?.credits ?? 0, usd: generation.cost?.usd ?? 0 },
  };
  if (generation.error)
    data.error = { code: errorRow(generation.error.reason).name, message: generation.error.message };
  return data;
}
