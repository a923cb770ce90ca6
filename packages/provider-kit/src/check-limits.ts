import { apiError, ErrorReason, type FieldViolation } from "@imagegen/errors";
import {
  Format,
  Operation,
  type GenerateRequest,
  type ModelLimits,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/**
 * Operations whose size is the input image's, not a chosen one: a multiple-of-N rule is about
 * what a generator renders, so it never refuses a photo (min/max/pixel bounds still apply).
 */
const INPUT_SIZED = new Set([Operation.UPSCALE, Operation.REMOVE_BACKGROUND]);

/**
 * Refuses, before any upstream call, what the route's model does not declare: the operation,
 * sizes, output count, prompt length, negative prompt, seed, steps, guidance and output format.
 * The field names are the public ones. The front uses it to pick routes; every provider runs it
 * again before any upstream call (the provider's declaration is the truth).
 */
export function checkAgainstLimits(request: GenerateRequest, limits: ModelLimits | undefined, modelId: string): void {
  if (!limits) return;
  if (!limits.operations.includes(request.operation)) {
    throw apiError(
      ErrorReason.UNSUPPORTED,
      `model "${modelId}" does not offer ${Operation[request.operation].toLowerCase()}`,
      {
        metadata: { model: modelId },
      },
    );
  }
  const violations: FieldViolation[] = [];
  const size = (field: string, value: number): void => {
    if (value === 0) return;
    if (limits.minSize && value < limits.minSize)
      violations.push({
        field,
        description: `must be at least ${limits.minSize} for ${modelId}`,
        rule: "model.min_size",
      });
    if (limits.maxSize && value > limits.maxSize)
      violations.push({
        field,
        description: `must be at most ${limits.maxSize} for ${modelId}`,
        rule: "model.max_size",
      });
    if (limits.sizeMultiple > 1 && value % limits.sizeMultiple !== 0 && !INPUT_SIZED.has(request.operation)) {
      violations.push({
        field,
        description: `must be a multiple of ${limits.sizeMultiple} for ${modelId}`,
        rule: "model.size_multiple",
      });
    }
  };
  size("parameters.width", request.width);
  size("parameters.height", request.height);
  if (
    limits.fixedSizes.length &&
    !limits.fixedSizes.some((s) => s.width === request.width && s.height === request.height)
  ) {
    const sizes = limits.fixedSizes.map((s) => `${s.width}x${s.height}`).join(", ");
    violations.push({
      field: "parameters.width",
      description: `${modelId} only renders ${sizes}`,
      rule: "model.fixed_sizes",
    });
  }
  if (limits.maxPixels && request.width * request.height > limits.maxPixels) {
    violations.push({
      field: "parameters.width",
      description: `width × height must be at most ${limits.maxPixels} pixels for ${modelId}`,
      rule: "model.max_pixels",
    });
  }
  if (limits.maxOutputs && request.numOutputs > limits.maxOutputs) {
    violations.push({
      field: "parameters.num_outputs",
      description: `must be at most ${limits.maxOutputs} for ${modelId}`,
      rule: "model.max_outputs",
    });
  }
  if (limits.maxPromptLength && request.prompt.length > limits.maxPromptLength) {
    violations.push({
      field: "prompt",
      description: `must be at most ${limits.maxPromptLength} characters for ${modelId}`,
      rule: "model.max_prompt_length",
    });
  }
  if (request.negativePrompt && !limits.negativePrompt) {
    violations.push({
      field: "negative_prompt",
      description: `${modelId} does not support a negative prompt`,
      rule: "model.negative_prompt",
    });
  }
  const unsupported = (set: boolean, declared: boolean, field: string, what: string, rule: string): void => {
    if (set && !declared) violations.push({ field, description: `${modelId} does not accept ${what}`, rule });
  };
  // No seed check: the front always picks one so records are reproducible; a model without
  // seeds simply ignores it.
  unsupported(request.steps !== undefined, limits.steps, "parameters.num_inference_steps", "steps", "model.steps");
  unsupported(
    request.guidance !== undefined,
    limits.guidance,
    "parameters.guidance_scale",
    "guidance",
    "model.guidance",
  );
  if (
    request.outputFormat !== Format.UNSPECIFIED &&
    limits.formats.length &&
    !limits.formats.includes(request.outputFormat)
  ) {
    const formats = limits.formats.map((f) => Format[f].toLowerCase()).join(", ");
    violations.push({
      field: "output.format",
      description: `${modelId} renders only ${formats}`,
      rule: "model.formats",
    });
  }
  if (violations.length) {
    throw apiError(ErrorReason.UNSUPPORTED, violations.map((v) => `${v.field}: ${v.description}`).join("; "), {
      fieldViolations: violations,
      metadata: { model: modelId },
    });
  }
}
