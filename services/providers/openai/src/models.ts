/**
 * The OpenAI image models this provider declares, as data: the front and the kit refuse
 * anything outside these limits before any upstream call. Values follow the official spec
 * (see /work/shared/providers/openai.md §2); prices are OpenAI's list prices per 1024² image.
 */
import type { ModelDeclaration } from "@imagegen/provider-kit";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** Which request rules a model follows: DALL·E answers URLs and takes `response_format`; GPT image answers base64. */
export type OpenAiFamily = "dall-e-2" | "dall-e-3" | "gpt-image";

/** A declared model plus the family its translation rules come from. */
export interface OpenAiModel {
  readonly family: OpenAiFamily;
  readonly model: ModelDeclaration;
}

const square = (side: number) => ({ width: side, height: side });
const GPT_IMAGE_SIZES = [square(1024), { width: 1536, height: 1024 }, { width: 1024, height: 1536 }];
const ALL_FORMATS = [Format.PNG, Format.JPEG, Format.WEBP];

function gptImage(id: string, displayName: string, usdPerImage: number): OpenAiModel {
  return {
    family: "gpt-image",
    model: {
      id,
      displayName,
      usdPerImage,
      limits: {
        // Edits without a mask re-draw the whole image (image-to-image); with a mask they inpaint.
        operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE, Operation.INPAINT],
        fixedSizes: GPT_IMAGE_SIZES,
        maxOutputs: 10,
        formats: ALL_FORMATS,
        maxPromptLength: 32_000,
      },
    },
  };
}

/** Every model this provider serves, keyed by OpenAI's own model id. */
export const OPENAI_MODELS: ReadonlyMap<string, OpenAiModel> = new Map(
  [
    gptImage("gpt-image-1", "GPT Image 1", 0.042),
    gptImage("gpt-image-1-mini", "GPT Image 1 mini", 0.011),
    gptImage("gpt-image-1.5", "GPT Image 1.5", 0.034),
    {
      family: "gpt-image",
      model: {
        id: "gpt-image-2",
        displayName: "GPT Image 2",
        usdPerImage: 0.04,
        limits: {
          operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE, Operation.INPAINT],
          // Any size whose sides are multiples of 16, up to 3840x2160 (aspect 1:3..3:1 is left to OpenAI).
          minSize: 256,
          maxSize: 3840,
          sizeMultiple: 16,
          maxPixels: 3840 * 2160,
          maxOutputs: 10,
          formats: ALL_FORMATS,
          maxPromptLength: 32_000,
        },
      },
    } satisfies OpenAiModel,
    {
      family: "dall-e-3",
      model: {
        id: "dall-e-3",
        displayName: "DALL·E 3",
        usdPerImage: 0.04,
        limits: {
          operations: [Operation.TEXT_TO_IMAGE],
          fixedSizes: [square(1024), { width: 1792, height: 1024 }, { width: 1024, height: 1792 }],
          maxOutputs: 1,
          formats: [Format.PNG],
          maxPromptLength: 4000,
        },
      },
    } satisfies OpenAiModel,
    {
      family: "dall-e-2",
      model: {
        id: "dall-e-2",
        displayName: "DALL·E 2",
        usdPerImage: 0.02,
        limits: {
          // dall-e-2 edits need an edit region (mask), so plain image-to-image is not offered.
          operations: [Operation.TEXT_TO_IMAGE, Operation.INPAINT, Operation.VARIATION],
          fixedSizes: [square(256), square(512), square(1024)],
          maxOutputs: 10,
          formats: [Format.PNG],
          maxPromptLength: 1000,
        },
      },
    } satisfies OpenAiModel,
  ].map((m) => [m.model.id, m]),
);
