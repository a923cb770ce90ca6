import { apiError, ErrorReason } from "@imagegen/errors";
import type { GenerateRequest, InputImage } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { formatName } from "@imagegen/provider-kit";

/** Canonical request → BFL submit body for `POST /v1/<model>` (pure). Only spec'd keys are sent. */
export function toSubmitBody(request: GenerateRequest): Record<string, unknown> {
  const common = {
    prompt: request.prompt,
    seed: request.seed,
    output_format: formatName(request.outputFormat),
    prompt_upsampling: false,
  };
  switch (request.model) {
    case "flux-pro-1.1":
      return compact({ ...common, width: request.width || undefined, height: request.height || undefined });
    case "flux-dev":
      return compact({
        ...common,
        width: request.width || undefined,
        height: request.height || undefined,
        steps: request.steps,
        guidance: request.guidance,
      });
    case "flux-pro-1.0-fill":
      // Mask: white = inpaint, the canonical convention already. Images travel as bare base64.
      return compact({
        ...common,
        image: base64(required(request.initImage, "init_image")),
        mask: base64(required(request.mask, "mask")),
        steps: request.steps,
        guidance: request.guidance,
      });
    default:
      throw apiError(ErrorReason.MODEL_NOT_AVAILABLE, `bfl does not declare ${request.model}`);
  }
}

/** The submit path of a model. */
export function submitPath(model: string): string {
  return `/v1/${encodeURIComponent(model)}`;
}

/** Credits → USD (1 credit = $0.01); 0 when BFL did not say. */
export function costUsd(credits: number | null | undefined): number {
  return typeof credits === "number" && Number.isFinite(credits) ? Math.round(credits * 1e4) / 1e6 : 0;
}

function base64(image: InputImage): string {
  return Buffer.from(image.data).toString("base64");
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
