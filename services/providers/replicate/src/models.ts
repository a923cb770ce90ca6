import type { ModelDeclaration } from "@imagegen/provider-kit";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** How a model's `input` is shaped on Replicate; each has its own translator branch. */
export type InputStyle = "sdxl" | "flux-schnell" | "flux-pro" | "real-esrgan" | "pass-through";

/** What we must know about a Replicate model beyond its declared limits. */
export interface ReplicateModel extends ModelDeclaration {
  /** Pinned version: created via POST /v1/predictions. Absent: official model endpoint. */
  readonly version?: string;
  readonly input: InputStyle;
}

/** FLUX on Replicate takes `aspect_ratio`, not pixels: the sizes each ratio renders (≈1 MP). */
export const FLUX_ASPECT_SIZES: ReadonlyArray<{ ratio: string; width: number; height: number }> = [
  { ratio: "1:1", width: 1024, height: 1024 },
  { ratio: "16:9", width: 1344, height: 768 },
  { ratio: "9:16", width: 768, height: 1344 },
  { ratio: "21:9", width: 1536, height: 640 },
  { ratio: "9:21", width: 640, height: 1536 },
  { ratio: "3:2", width: 1216, height: 832 },
  { ratio: "2:3", width: 832, height: 1216 },
  { ratio: "4:3", width: 1152, height: 896 },
  { ratio: "3:4", width: 896, height: 1152 },
  { ratio: "5:4", width: 1088, height: 896 },
  { ratio: "4:5", width: 896, height: 1088 },
];

/**
 * The models config/imagegen.yaml routes to Replicate, with what their Replicate schemas accept
 * (replicate.md §2.1, the cassette's sdxl schema, the FLUX 422 examples). Prices are Replicate's
 * list prices per image at the time of writing.
 */
export const REPLICATE_MODELS: readonly ReplicateModel[] = [
  {
    id: "stability-ai/sdxl",
    displayName: "Stable Diffusion XL (Replicate)",
    usdPerImage: 0.0095,
    version: "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b",
    input: "sdxl",
    limits: {
      operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE, Operation.INPAINT],
      minSize: 128,
      maxSize: 1536,
      sizeMultiple: 8,
      maxOutputs: 4,
      negativePrompt: true,
      seed: true,
      steps: true,
      guidance: true,
      formats: [Format.PNG],
      maxPromptLength: 2000,
      progress: true,
    },
  },
  {
    id: "black-forest-labs/flux-schnell",
    displayName: "FLUX.1 [schnell] (Replicate)",
    usdPerImage: 0.003,
    input: "flux-schnell",
    limits: {
      operations: [Operation.TEXT_TO_IMAGE],
      fixedSizes: FLUX_ASPECT_SIZES.map(({ width, height }) => ({ width, height })),
      maxOutputs: 4,
      negativePrompt: false,
      seed: true,
      // 1–4 steps only; a larger value comes back as Replicate's own 422, relayed.
      steps: true,
      guidance: false,
      formats: [Format.PNG, Format.JPEG, Format.WEBP],
      maxPromptLength: 2000,
      progress: false,
    },
  },
  {
    id: "black-forest-labs/flux-1.1-pro",
    displayName: "FLUX1.1 [pro] (Replicate)",
    usdPerImage: 0.04,
    input: "flux-pro",
    limits: {
      operations: [Operation.TEXT_TO_IMAGE],
      minSize: 256,
      maxSize: 1440,
      sizeMultiple: 32,
      maxOutputs: 1,
      negativePrompt: false,
      seed: true,
      steps: false,
      guidance: false,
      formats: [Format.PNG, Format.JPEG, Format.WEBP],
      maxPromptLength: 2000,
      progress: false,
    },
  },
  {
    id: "nightmareai/real-esrgan",
    displayName: "Real-ESRGAN (Replicate)",
    usdPerImage: 0.0025,
    version: "42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b",
    input: "real-esrgan",
    limits: {
      operations: [Operation.UPSCALE],
      maxOutputs: 1,
      negativePrompt: false,
      seed: false,
      steps: false,
      guidance: false,
      formats: [Format.PNG],
      progress: false,
    },
  },
];

/** The Replicate-specific data of a declared model id. */
export function replicateModel(id: string): ReplicateModel | undefined {
  return REPLICATE_MODELS.find((m) => m.id === id) ?? passThroughModel(id);
}

/** "owner/name" or "owner/name:<64-hex version>", Replicate's model reference forms. */
const MODEL_REF = /^([a-z0-9][\w.-]{0,63}\/[a-z0-9][\w.-]{0,99})(?::([0-9a-f]{64}))?$/i;

/**
 * A model we do not declare, passed through as the caller named it (seed 001): created by version
 * when pinned, else on the official-model endpoint. Its input schema is the model's own, unknown
 * here, so it gets only the fields nearly every Replicate image model takes (prompt, width,
 * height, num_outputs, seed, negative_prompt); Replicate itself judges them (422 when it refuses).
 */
export function passThroughModel(ref: string): ReplicateModel | undefined {
  const match = MODEL_REF.exec(ref);
  if (!match) return undefined;
  return {
    id: match[1]!,
    displayName: ref,
    usdPerImage: 0,
    version: match[2],
    input: "pass-through",
    limits: { operations: [Operation.TEXT_TO_IMAGE], negativePrompt: true, seed: true },
  };
}
