import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { runProviderContractSuite, testImage } from "@imagegen/provider-kit/testing";
import { stabilityProvider } from "../src/stability-provider.ts";
import { startFakeStability } from "./fake-stability.ts";

const png = await testImage("png", 128, 128);
const image = { data: png, format: Format.PNG, width: 128, height: 128 };
const mask = { data: await testImage("png", 128, 128), format: Format.PNG, width: 128, height: 128 };
const core = {
  model: "core",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a lighthouse at dusk",
  width: 1024,
  height: 1024,
  numOutputs: 1,
  seed: 7,
};
const tool = (model: string, operation: Operation) => ({
  model,
  operation,
  prompt: "a lighthouse",
  numOutputs: 1,
  initImage: image,
});

runProviderContractSuite({
  definition: stabilityProvider,
  startFake: (token) => startFakeStability({ token }),
  baseline: core,
  happy: [
    {
      name: "core 16:9 WebP with negative prompt and seed",
      request: { ...core, width: 1344, height: 768, negativePrompt: "fog", outputFormat: Format.WEBP },
      images: 1,
    },
    { name: "ultra text-to-image", request: { ...core, model: "ultra", width: 832, height: 1216 }, images: 1 },
    {
      name: "ultra image-to-image (strength defaulted)",
      request: { ...core, model: "ultra", operation: Operation.IMAGE_TO_IMAGE, initImage: image },
      images: 1,
    },
    {
      name: "sd3.5-large with guidance as cfg_scale",
      request: { ...core, model: "sd3.5-large", guidance: 4, outputFormat: Format.JPEG },
      images: 1,
    },
    {
      name: "sd3.5-medium image-to-image",
      request: { ...core, model: "sd3.5-medium", operation: Operation.IMAGE_TO_IMAGE, initImage: image, strength: 0.4 },
      images: 1,
    },
    {
      name: "inpaint with a white-means-edit mask",
      request: { ...tool("inpaint", Operation.INPAINT), mask },
      images: 1,
    },
    {
      name: "remove-background to PNG",
      request: { ...tool("remove-background", Operation.REMOVE_BACKGROUND), prompt: "" },
      images: 1,
    },
    { name: "fast 4x upscale", request: { ...tool("upscale-fast", Operation.UPSCALE), scale: 4 }, images: 1 },
    { name: "conservative upscale", request: tool("upscale-conservative", Operation.UPSCALE), images: 1 },
    {
      name: "creative upscale, async, polled at /v2beta/results/{id}",
      request: tool("upscale-creative", Operation.UPSCALE),
      images: 1,
    },
  ],
  undeclared: [
    { name: "two outputs (one image per call)", request: { ...core, numOutputs: 2 } },
    { name: "steps", request: { ...core, steps: 30 } },
    { name: "guidance on core", request: { ...core, guidance: 5 } },
    { name: "image-to-image on core", request: { ...core, operation: Operation.IMAGE_TO_IMAGE, initImage: image } },
    { name: "a size that is not one of the aspect ratios", request: { ...core, width: 1000, height: 1000 } },
    {
      name: "JPEG from remove-background (it keeps transparency)",
      request: { ...tool("remove-background", Operation.REMOVE_BACKGROUND), outputFormat: Format.JPEG },
    },
  ],
  // Stability's 403 is its content moderation, and its 422s judge the prompt: both are the caller's content.
  statusReasons: { 403: "INVALID_PROMPT", 422: "INVALID_PROMPT" },
});
