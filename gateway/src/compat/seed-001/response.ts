import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";

/** Seed 001's success body. */
export interface Seed001Response {
  image_urls: string[];
  prompt: string;
  model: string;
}

/** `model` echoes the id the client sent (a Replicate id stays a Replicate id). */
export function renderSeed001(generation: Generation, prompt: string, model: string): Seed001Response {
  return { image_urls: generation.images.map((i) => i.url), prompt, model };
}
