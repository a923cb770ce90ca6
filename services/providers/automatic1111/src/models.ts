/**
 * The checkpoints this provider declares, as data. A self-hosted server has whatever
 * checkpoints its operator installed, so the list is configurable (A1111_MODELS, comma
 * separated checkpoint names); each id is sent as `override_settings.sd_model_checkpoint`.
 * Self-hosted: free. The output format is the server's `samples_format` (PNG by default).
 */
import type { ModelDeclaration } from "@imagegen/provider-kit";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/** Declared when A1111_MODELS is not set: the checkpoints the catalog routes to. */
export const DEFAULT_A1111_MODELS = ["sd_xl_base_1.0", "v1-5-pruned-emaonly"];

/** One checkpoint's declaration: what the WebUI API accepts for any Stable Diffusion model. */
export function a1111Model(checkpoint: string): ModelDeclaration {
  return {
    id: checkpoint,
    displayName: `${checkpoint} (AUTOMATIC1111)`,
    usdPerImage: 0,
    limits: {
      operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE, Operation.INPAINT],
      minSize: 64,
      maxSize: 2048,
      sizeMultiple: 8,
      // batch_size; larger batches are possible but rarely fit a consumer GPU.
      maxOutputs: 8,
      negativePrompt: true,
      seed: true,
      steps: true,
      guidance: true,
      formats: [Format.PNG],
      maxPromptLength: 10_000,
    },
  };
}

/** The declared models for an environment. */
export function a1111Models(env: NodeJS.ProcessEnv): ModelDeclaration[] {
  const names = env.A1111_MODELS?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return (names?.length ? names : DEFAULT_A1111_MODELS).map(a1111Model);
}
