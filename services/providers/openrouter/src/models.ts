/**
 * The OpenRouter image models this provider declares, as data, each with the API path it is
 * called through. Chat models take an aspect ratio (declared as the 1K sizes of OpenRouter's
 * table) and return one image; `/images` models take "WxH" and `n`. Prices are approximate
 * list prices per image (OpenRouter bills per token for chat models).
 */
import type { ModelDeclaration } from "@imagegen/provider-kit";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** Which OpenRouter API a model is called through. */
export type OpenRouterApi =
  | { readonly kind: "chat"; readonly modalities: ("image" | "text")[] }
  | { readonly kind: "images" };

/** A declared model plus how to call it. */
export interface OpenRouterModel {
  readonly api: OpenRouterApi;
  readonly model: ModelDeclaration;
}

/** `image_config.aspect_ratio` values with the 1K output size OpenRouter documents for each. */
export const CHAT_ASPECT_RATIOS: readonly {
  readonly ratio: string;
  readonly width: number;
  readonly height: number;
}[] = [
  { ratio: "1:1", width: 1024, height: 1024 },
  { ratio: "2:3", width: 832, height: 1248 },
  { ratio: "3:2", width: 1248, height: 832 },
  { ratio: "3:4", width: 864, height: 1184 },
  { ratio: "4:3", width: 1184, height: 864 },
  { ratio: "4:5", width: 896, height: 1152 },
  { ratio: "5:4", width: 1152, height: 896 },
  { ratio: "9:16", width: 768, height: 1344 },
  { ratio: "16:9", width: 1344, height: 768 },
  { ratio: "21:9", width: 1536, height: 672 },
];

function chat(id: string, displayName: string, usdPerImage: number, modalities: ("image" | "text")[]): OpenRouterModel {
  return {
    api: { kind: "chat", modalities },
    model: {
      id,
      displayName,
      usdPerImage,
      limits: {
        operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE],
        fixedSizes: CHAT_ASPECT_RATIOS.map(({ width, height }) => ({ width, height })),
        maxOutputs: 1,
        // Chat models answer PNG data URLs; no format choice on this path.
        formats: [Format.PNG],
        maxPromptLength: 32_000,
      },
    },
  };
}

const images = (
  id: string,
  displayName: string,
  usdPerImage: number,
  limits: ModelDeclaration["limits"],
): OpenRouterModel => ({
  api: { kind: "images" },
  model: { id, displayName, usdPerImage, limits },
});

/** Every model this provider serves, keyed by OpenRouter's model slug. */
export const OPENROUTER_MODELS: ReadonlyMap<string, OpenRouterModel> = new Map(
  [
    chat("google/gemini-2.5-flash-image", "Gemini 2.5 Flash Image (Nano Banana)", 0.039, ["image", "text"]),
    chat("google/gemini-3-pro-image-preview", "Gemini 3 Pro Image", 0.134, ["image", "text"]),
    chat("openai/gpt-5-image", "GPT-5 Image", 0.04, ["image", "text"]),
    chat("black-forest-labs/flux.2-pro", "FLUX.2 [pro]", 0.03, ["image"]),
    images("openai/gpt-image-1", "GPT Image 1 (via OpenRouter)", 0.042, {
      operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE],
      fixedSizes: [
        { width: 1024, height: 1024 },
        { width: 1536, height: 1024 },
        { width: 1024, height: 1536 },
      ],
      maxOutputs: 10,
      formats: [Format.PNG, Format.JPEG, Format.WEBP],
      maxPromptLength: 32_000,
    }),
    images("openai/dall-e-3", "DALL·E 3 (via OpenRouter)", 0.04, {
      operations: [Operation.TEXT_TO_IMAGE],
      fixedSizes: [
        { width: 1024, height: 1024 },
        { width: 1792, height: 1024 },
        { width: 1024, height: 1792 },
      ],
      maxOutputs: 1,
      formats: [Format.PNG],
      maxPromptLength: 4000,
    }),
    images("bytedance-seed/seedream-4.5", "Seedream 4.5", 0.04, {
      operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE],
      minSize: 1024,
      maxSize: 4096,
      sizeMultiple: 8,
      maxOutputs: 4,
      seed: true,
      formats: [Format.PNG, Format.JPEG, Format.WEBP],
      maxPromptLength: 4000,
    }),
  ].map((m) => [m.model.id, m]),
);
