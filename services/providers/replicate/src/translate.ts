import { apiError, ErrorReason } from "@imagegen/errors";
import {
  Format,
  Operation,
  type GenerateRequest,
  type InputImage,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { FLUX_ASPECT_SIZES, type ReplicateModel } from "./models.ts";
import type { CreatePredictionBody, Prediction } from "./wire-types.ts";
import { mediaTypeOf } from "@imagegen/provider-kit";

/** Where and what to POST to create a prediction. */
export interface CreateCall {
  readonly path: string;
  readonly body: CreatePredictionBody;
}

const FLUX_FORMATS: Record<number, string> = { [Format.PNG]: "png", [Format.JPEG]: "jpg", [Format.WEBP]: "webp" };

/**
 * Canonical request → Replicate create call (pure). Version-pinned models go to
 * POST /v1/predictions with `version`; official models to POST /v1/models/{owner}/{name}/predictions
 * (which refuses a `version` key). Only keys the model's schema knows are sent.
 */
export function toCreateCall(request: GenerateRequest, model: ReplicateModel): CreateCall {
  const input = toInput(request, model);
  return model.version
    ? { path: "/v1/predictions", body: { version: model.version, input } }
    : { path: `/v1/models/${model.id}/predictions`, body: { input } };
}

function toInput(request: GenerateRequest, model: ReplicateModel): Record<string, unknown> {
  switch (model.input) {
    case "sdxl":
      return compact({
        prompt: request.prompt,
        negative_prompt: request.negativePrompt || undefined,
        width: request.width || undefined,
        height: request.height || undefined,
        num_outputs: request.numOutputs || 1,
        seed: request.seed,
        num_inference_steps: request.steps,
        guidance_scale: request.guidance,
        scheduler: request.scheduler || undefined,
        image:
          request.operation === Operation.TEXT_TO_IMAGE
            ? undefined
            : dataUri(required(request.initImage, "init_image")),
        // SDXL's mask is white = inpaint, the canonical convention already.
        mask: request.operation === Operation.INPAINT ? dataUri(required(request.mask, "mask")) : undefined,
        prompt_strength: request.operation === Operation.TEXT_TO_IMAGE ? undefined : request.strength,
      });
    case "flux-schnell":
      return compact({
        prompt: request.prompt,
        aspect_ratio: aspectRatio(request),
        num_outputs: request.numOutputs || 1,
        seed: request.seed,
        num_inference_steps: request.steps,
        output_format: FLUX_FORMATS[request.outputFormat] ?? "png",
      });
    case "flux-pro":
      return compact({
        prompt: request.prompt,
        aspect_ratio: "custom",
        width: request.width || 1024,
        height: request.height || 1024,
        seed: request.seed,
        output_format: FLUX_FORMATS[request.outputFormat] ?? "png",
      });
    case "real-esrgan":
      return compact({ image: dataUri(required(request.initImage, "init_image")), scale: request.scale || 4 });
    case "pass-through":
      return compact({
        prompt: request.prompt,
        negative_prompt: request.negativePrompt || undefined,
        width: request.width || undefined,
        height: request.height || undefined,
        num_outputs: request.numOutputs || 1,
        seed: request.seed,
      });
  }
}

/** The FLUX aspect ratio whose rendered size is exactly width × height (declared as fixed sizes). */
export function aspectRatio(request: Pick<GenerateRequest, "width" | "height">): string {
  if (!request.width || !request.height) return "1:1";
  const match = FLUX_ASPECT_SIZES.find((s) => s.width === request.width && s.height === request.height);
  return match?.ratio ?? "1:1";
}

/**
 * Input images travel as data URIs inside `input` (Replicate accepts them; it recommends them
 * up to 256 KB and the front caps uploads well below the 10 MB the SDK inlines).
 */
export function dataUri(image: InputImage): string {
  return `data:${mediaTypeOf(image.format)};base64,${Buffer.from(image.data).toString("base64")}`;
}

/** Output locations of a prediction: a list, a single URL or a data URI; [] when none. */
export function outputLocations(prediction: Prediction): string[] {
  const output = prediction.output;
  if (typeof output === "string") return output ? [output] : [];
  if (Array.isArray(output)) return output.filter((o): o is string => typeof o === "string" && o.length > 0);
  return [];
}

/** The last progress the logs report ("… 37/50 …" from tqdm bars), as a fraction. */
export function progressFromLogs(logs: string | null | undefined): number | undefined {
  if (!logs) return undefined;
  const matches = [...logs.matchAll(/(\d+)\/(\d+) \[/g)];
  const last = matches.at(-1);
  if (!last) return undefined;
  const [done, total] = [Number(last[1]), Number(last[2])];
  return total > 0 ? Math.min(1, done / total) : undefined;
}

/** The seed SDXL-style models log ("Using seed: 42069"). */
export function seedFromLogs(logs: string | null | undefined): number | undefined {
  const match = logs ? /Using seed: (\d+)/.exec(logs) : null;
  return match ? Number(match[1]) >>> 0 : undefined;
}

function required(image: InputImage | undefined, field: string): InputImage {
  if (!image || image.data.length === 0)
    throw apiError(ErrorReason.INVALID_REQUEST, `${field} is required for this operation`, {
      fieldViolations: [{ field, description: "is required" }],
    });
  return image;
}

function compact(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
