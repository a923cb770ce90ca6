/**
 * The Stability AI v2beta models this provider declares, as data. Each id names one endpoint
 * (and, for SD 3.5, the `model` field). v2beta takes an aspect ratio, not a size, and answers
 * one image per call, so sizes are declared as the nine aspect ratios at ≈1 MP (what ultra and
 * sd3 return; core returns larger images of the same ratio). Prices: 1 credit = $0.01.
 */
import type { ModelDeclaration } from "@imagegen/provider-kit";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** Which endpoint family a model uses. */
export type StabilityEndpoint = "core" | "ultra" | "sd3" | "inpaint" | "remove-background" | "upscale";

/** A declared model plus where its requests go. */
export interface StabilityModel {
  readonly endpoint: StabilityEndpoint;
  /** The endpoint path under the base URL. */
  readonly path: string;
  /** Async endpoints answer `{"id"}` and are polled at /v2beta/results/{id}. */
  readonly async: boolean;
  readonly model: ModelDeclaration;
}

/** The `aspect_ratio` enum with the ≈1 MP output size Stability renders for each. */
export const ASPECT_RATIOS: readonly { readonly ratio: string; readonly width: number; readonly height: number }[] = [
  { ratio: "21:9", width: 1536, height: 640 },
  { ratio: "16:9", width: 1344, height: 768 },
  { ratio: "3:2", width: 1216, height: 832 },
  { ratio: "5:4", width: 1088, height: 896 },
  { ratio: "1:1", width: 1024, height: 1024 },
  { ratio: "4:5", width: 896, height: 1088 },
  { ratio: "2:3", width: 832, height: 1216 },
  { ratio: "9:16", width: 768, height: 1344 },
  { ratio: "9:21", width: 640, height: 1536 },
];

const SIZES = ASPECT_RATIOS.map(({ width, height }) => ({ width, height }));
const ALL_FORMATS = [Format.PNG, Format.JPEG, Format.WEBP];
const GENERATE = "/v2beta/stable-image/generate";

function generate(
  endpoint: "core" | "ultra" | "sd3",
  id: string,
  displayName: string,
  usdPerImage: number,
  extra: { imageToImage: boolean; guidance: boolean },
): StabilityModel {
  const operations = extra.imageToImage
    ? [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE]
    : [Operation.TEXT_TO_IMAGE];
  return {
    endpoint,
    path: `${GENERATE}/${endpoint}`,
    async: false,
    model: {
      id,
      displayName,
      usdPerImage,
      limits: {
        operations,
        fixedSizes: SIZES,
        maxOutputs: 1,
        negativePrompt: true,
        seed: true,
        guidance: extra.guidance,
        formats: ALL_FORMATS,
        maxPromptLength: 10_000,
      },
    },
  };
}

function tool(
  endpoint: StabilityEndpoint,
  id: string,
  path: string,
  displayName: string,
  usdPerImage: number,
  async: boolean,
  limits: ModelDeclaration["limits"],
): StabilityModel {
  return { endpoint, path, async, model: { id, displayName, usdPerImage, limits: { maxOutputs: 1, ...limits } } };
}

/** Every model this provider serves, keyed by its id in the catalog routes. */
export const STABILITY_MODELS: ReadonlyMap<string, StabilityModel> = new Map(
  [
    generate("core", "core", "Stable Image Core", 0.03, { imageToImage: false, guidance: false }),
    generate("ultra", "ultra", "Stable Image Ultra", 0.08, { imageToImage: true, guidance: false }),
    generate("sd3", "sd3.5-large", "Stable Diffusion 3.5 Large", 0.065, { imageToImage: true, guidance: true }),
    generate("sd3", "sd3.5-large-turbo", "Stable Diffusion 3.5 Large Turbo", 0.04, {
      imageToImage: true,
      guidance: true,
    }),
    generate("sd3", "sd3.5-medium", "Stable Diffusion 3.5 Medium", 0.035, { imageToImage: true, guidance: true }),
    generate("sd3", "sd3.5-flash", "Stable Diffusion 3.5 Flash", 0.025, { imageToImage: true, guidance: true }),
    tool("inpaint", "inpaint", "/v2beta/stable-image/edit/inpaint", "Stable Image Inpaint", 0.05, false, {
      operations: [Operation.INPAINT],
      negativePrompt: true,
      seed: true,
      formats: ALL_FORMATS,
      maxPromptLength: 10_000,
      maxPixels: 9_437_184,
    }),
    tool(
      "remove-background",
      "remove-background",
      "/v2beta/stable-image/edit/remove-background",
      "Remove Background",
      0.05,
      false,
      {
        operations: [Operation.REMOVE_BACKGROUND],
        // The result has an alpha channel: only formats that keep it.
        formats: [Format.PNG, Format.WEBP],
        maxPixels: 4_194_304,
      },
    ),
    tool("upscale", "upscale-fast", "/v2beta/stable-image/upscale/fast", "Fast Upscaler (4x)", 0.02, false, {
      operations: [Operation.UPSCALE],
      formats: ALL_FORMATS,
      maxPixels: 1_048_576,
    }),
    tool(
      "upscale",
      "upscale-conservative",
      "/v2beta/stable-image/upscale/conservative",
      "Conservative Upscaler (to 4 MP)",
      0.4,
      false,
      {
        operations: [Operation.UPSCALE],
        negativePrompt: true,
        seed: true,
        formats: ALL_FORMATS,
        maxPromptLength: 10_000,
        maxPixels: 9_437_184,
      },
    ),
    tool(
      "upscale",
      "upscale-creative",
      "/v2beta/stable-image/upscale/creative",
      "Creative Upscaler (to 4 MP)",
      0.6,
      true,
      {
        operations: [Operation.UPSCALE],
        negativePrompt: true,
        seed: true,
        formats: ALL_FORMATS,
        maxPromptLength: 10_000,
        maxPixels: 1_048_576,
      },
    ),
  ].map((m) => [m.model.id, m]),
);
