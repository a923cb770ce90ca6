import { ErrorReason } from "@imagegen/errors";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { fileParts, inputImage, reasonOf, stabilityRequest, textParts } from "./test-requests.ts";
import { nearestAspectRatio, translateStabilityRequest } from "./translate-request.ts";

describe("stability /v2beta/stable-image/generate request", () => {
  it.each([
    {
      name: "core maps the size to an aspect ratio and sends every optional as text",
      req: stabilityRequest({
        model: "core",
        width: 1344,
        height: 768,
        negativePrompt: "fog",
        seed: 42,
        outputFormat: Format.WEBP,
      }),
      path: "/v2beta/stable-image/generate/core",
      text: { prompt: "a lighthouse", negative_prompt: "fog", seed: "42", aspect_ratio: "16:9", output_format: "webp" },
      files: [],
    },
    {
      name: "the largest uint32 seed is clamped to Stability's largest",
      req: stabilityRequest({ model: "core", seed: 4294967295 }),
      path: "/v2beta/stable-image/generate/core",
      text: { prompt: "a lighthouse", seed: "4294967294" },
      files: [],
    },
    {
      name: "core without a size leaves Stability's 1:1 default",
      req: stabilityRequest({ model: "core" }),
      path: "/v2beta/stable-image/generate/core",
      text: { prompt: "a lighthouse" },
      files: [],
    },
    {
      name: "sd3 names the model and sends guidance as cfg_scale",
      req: stabilityRequest({ model: "sd3.5-large-turbo", width: 1024, height: 1024, guidance: 3 }),
      path: "/v2beta/stable-image/generate/sd3",
      text: { prompt: "a lighthouse", model: "sd3.5-large-turbo", cfg_scale: "3", aspect_ratio: "1:1" },
      files: [],
    },
    {
      name: "sd3 image-to-image sets the mode, sends the image and strength, and no aspect ratio",
      req: stabilityRequest({
        model: "sd3.5-medium",
        operation: Operation.IMAGE_TO_IMAGE,
        initImage: inputImage(),
        strength: 0.3,
        width: 1024,
        height: 1024,
      }),
      path: "/v2beta/stable-image/generate/sd3",
      text: { prompt: "a lighthouse", model: "sd3.5-medium", mode: "image-to-image", strength: "0.3" },
      files: ["image"],
    },
    {
      name: "ultra image-to-image defaults the strength Stability requires",
      req: stabilityRequest({
        model: "ultra",
        operation: Operation.IMAGE_TO_IMAGE,
        initImage: inputImage(Format.JPEG),
      }),
      path: "/v2beta/stable-image/generate/ultra",
      text: { prompt: "a lighthouse", strength: "0.5" },
      files: ["image"],
    },
  ])("$name", ({ req, path, text, files }) => {
    const call = translateStabilityRequest(req);
    expect(call.path).toBe(path);
    expect(call.async).toBe(false);
    expect(textParts(call.parts)).toEqual(text);
    expect(fileParts(call.parts)).toEqual(files);
  });

  it.each([
    { w: 1024, h: 1024, want: "1:1" },
    { w: 1920, h: 1080, want: "16:9" },
    { w: 1080, h: 1920, want: "9:16" },
    { w: 2048, h: 512, want: "21:9" },
    { w: 1200, h: 1000, want: "5:4" },
    { w: 832, h: 1216, want: "2:3" },
  ])("picks $want for $w x $h", ({ w, h, want }) => {
    expect(nearestAspectRatio(w, h)).toBe(want);
  });

  it.each([
    { name: "an unknown model", req: stabilityRequest({ model: "sdxl-1.0" }), reason: ErrorReason.MODEL_NOT_AVAILABLE },
    {
      name: "an empty prompt",
      req: stabilityRequest({ model: "core", prompt: " " }),
      reason: ErrorReason.INVALID_PROMPT,
    },
    {
      name: "image-to-image on core",
      req: stabilityRequest({ model: "core", operation: Operation.IMAGE_TO_IMAGE, initImage: inputImage() }),
      reason: ErrorReason.UNSUPPORTED,
    },
    {
      name: "image-to-image without an image",
      req: stabilityRequest({ model: "ultra", operation: Operation.IMAGE_TO_IMAGE }),
      reason: ErrorReason.INVALID_REQUEST,
    },
    {
      name: "inpaint on a generate model",
      req: stabilityRequest({ model: "ultra", operation: Operation.INPAINT }),
      reason: ErrorReason.UNSUPPORTED,
    },
  ])("refuses $name before any upstream call", ({ req, reason }) => {
    expect(reasonOf(() => translateStabilityRequest(req))).toBe(reason);
  });
});
