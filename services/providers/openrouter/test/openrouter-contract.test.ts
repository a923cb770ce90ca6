import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { runProviderContractSuite, testImage } from "@imagegen/provider-kit/testing";
import { openRouterProvider } from "../src/openrouter-provider.ts";
import { startFakeOpenRouter } from "./fake-openrouter.ts";

const image = { data: await testImage("png", 64, 64), format: Format.PNG, width: 64, height: 64 };
const gemini = {
  model: "google/gemini-2.5-flash-image",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a sunset over mountains",
  width: 1024,
  height: 1024,
  numOutputs: 1,
  seed: 7,
};

runProviderContractSuite({
  definition: openRouterProvider,
  startFake: (token) => startFakeOpenRouter({ token }),
  baseline: gemini,
  happy: [
    {
      name: "gemini via chat completions (image+text), 16:9",
      request: { ...gemini, width: 1344, height: 768 },
      images: 1,
    },
    {
      name: "flux.2-pro via chat completions (image only)",
      request: { ...gemini, model: "black-forest-labs/flux.2-pro" },
      images: 1,
    },
    {
      name: "gemini image-to-image with a data-URL input",
      request: { ...gemini, operation: Operation.IMAGE_TO_IMAGE, initImage: image },
      images: 1,
    },
    {
      name: "seedream via /images, three JPEGs",
      request: {
        ...gemini,
        model: "bytedance-seed/seedream-4.5",
        width: 2048,
        height: 2048,
        numOutputs: 3,
        outputFormat: Format.JPEG,
      },
      images: 3,
    },
    { name: "dall-e-3 via /images", request: { ...gemini, model: "openai/dall-e-3" }, images: 1 },
    {
      name: "gpt-image-1 via /images with an input reference",
      request: { ...gemini, model: "openai/gpt-image-1", operation: Operation.IMAGE_TO_IMAGE, initImage: image },
      images: 1,
    },
  ],
  undeclared: [
    { name: "two images from a chat model", request: { ...gemini, numOutputs: 2 } },
    { name: "a negative prompt", request: { ...gemini, negativePrompt: "clouds" } },
    { name: "steps", request: { ...gemini, steps: 20 } },
    { name: "a size that is not one of the chat aspect ratios", request: { ...gemini, width: 1000, height: 1000 } },
    { name: "JPEG from a chat model", request: { ...gemini, outputFormat: Format.JPEG } },
    { name: "inpainting", request: { ...gemini, operation: Operation.INPAINT, initImage: image, mask: image } },
  ],
});
