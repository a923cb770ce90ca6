import { create } from "@bufbuild/protobuf";
import { describeError } from "@imagegen/errors";
import {
  GenerateRequestSchema,
  ModelLimitsSchema,
  Operation,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { checkAgainstLimits } from "./check-limits.ts";

const limits = create(ModelLimitsSchema, {
  operations: [Operation.TEXT_TO_IMAGE, Operation.IMAGE_TO_IMAGE, Operation.UPSCALE, Operation.REMOVE_BACKGROUND],
  minSize: 64,
  maxSize: 2048,
  sizeMultiple: 8,
});
const outcome = (operation: Operation, width: number, height: number) => {
  try {
    checkAgainstLimits(create(GenerateRequestSchema, { operation, width, height, numOutputs: 1 }), limits, "m");
    return "ok";
  } catch (error) {
    return describeError(error)
      .fieldViolations.map((v) => v.rule)
      .join(",");
  }
};

describe("size limits", () => {
  it.each([
    ["a generated size must be a multiple of 8", Operation.TEXT_TO_IMAGE, 720, 477, "model.size_multiple"],
    ["an image-to-image output size too", Operation.IMAGE_TO_IMAGE, 720, 477, "model.size_multiple"],
    ["an upscale's input photo need not be", Operation.UPSCALE, 720, 477, "ok"],
    ["a background removal's input photo need not be", Operation.REMOVE_BACKGROUND, 720, 477, "ok"],
    ["a photo still respects the largest size", Operation.UPSCALE, 4000, 477, "model.max_size"],
  ])("%s", (_name, operation, width, height, expected) => {
    expect(outcome(operation, width, height)).toBe(expected);
  });
});
