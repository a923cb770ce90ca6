import type { ModelDeclaration } from "@imagegen/provider-kit";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

const FORMATS = [Format.JPEG, Format.PNG, Format.WEBP];

/**
 * BFL models we route to, with their spec'd inputs (bfl.md §2): one image per task, no negative
 * prompt anywhere. Prices are BFL's list prices (credits × $0.01).
 */
export const BFL_MODELS: readonly ModelDeclaration[] = [
  {
    id: "flux-pro-1.1",
    displayName: "FLUX1.1 [pro] (BFL)",
    usdPerImage: 0.04,
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
      formats: FORMATS,
      progress: true,
    },
  },
  {
    id: "flux-dev",
    displayName: "FLUX.1 [dev] (BFL)",
    usdPerImage: 0.025,
    limits: {
      operations: [Operation.TEXT_TO_IMAGE],
      minSize: 256,
      maxSize: 1440,
      sizeMultiple: 32,
      maxOutputs: 1,
      negativePrompt: false,
      seed: true,
      steps: true,
      guidance: true,
      formats: FORMATS,
      progress: true,
    },
  },
  {
    id: "flux-pro-1.0-fill",
    displayName: "FLUX.1 Fill [pro] (BFL)",
    usdPerImage: 0.05,
    limits: {
      operations: [Operation.INPAINT],
      maxOutputs: 1,
      negativePrompt: false,
      seed: true,
      steps: true,
      guidance: true,
      formats: FORMATS,
      progress: true,
    },
  },
];
