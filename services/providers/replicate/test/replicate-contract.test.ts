import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { runProviderContractSuite, testImage } from "@imagegen/provider-kit/testing";
import { replicateProvider } from "../src/replicate-provider.ts";
import { startFakeReplicate } from "./fake-replicate.ts";

const png = await testImage("png", 64, 64);
const image = { data: png, format: Format.PNG, width: 64, height: 64 };
const sdxl = {
  model: "stability-ai/sdxl",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a corgi",
  width: 512,
  height: 512,
  numOutputs: 1,
  seed: 7,
  outputFormat: Format.PNG,
};

runProviderContractSuite({
  definition: replicateProvider,
  startFake: (token) => startFakeReplicate({ token, waitScale: 0.05 }),
  baseline: sdxl,
  happy: [
    { name: "sdxl text-to-image, version-pinned, polled, URL list", request: { ...sdxl, numOutputs: 2 }, images: 2 },
    {
      name: "sdxl image-to-image with a data-URI init image",
      request: { ...sdxl, operation: Operation.IMAGE_TO_IMAGE, initImage: image, strength: 0.6 },
      images: 1,
    },
    {
      name: "sdxl inpainting with a mask",
      request: { ...sdxl, operation: Operation.INPAINT, initImage: image, mask: image },
      images: 1,
    },
    {
      name: "flux-schnell on the official models endpoint, finished inside Prefer: wait",
      request: {
        model: "black-forest-labs/flux-schnell",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "a fox",
        width: 1344,
        height: 768,
        numOutputs: 2,
        outputFormat: Format.WEBP,
      },
      images: 2,
    },
    {
      name: "flux-1.1-pro with a single-URL output",
      request: {
        model: "black-forest-labs/flux-1.1-pro",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "a fox",
        width: 1024,
        height: 768,
        numOutputs: 1,
        outputFormat: Format.PNG,
      },
      images: 1,
    },
    {
      name: "real-esrgan upscale",
      request: {
        model: "nightmareai/real-esrgan",
        operation: Operation.UPSCALE,
        prompt: "",
        initImage: image,
        scale: 2,
        numOutputs: 1,
        outputFormat: Format.PNG,
      },
      images: 1,
    },
  ],
  undeclared: [
    {
      name: "inpainting on flux-schnell",
      request: {
        model: "black-forest-labs/flux-schnell",
        operation: Operation.INPAINT,
        prompt: "x",
        width: 1024,
        height: 1024,
        numOutputs: 1,
        initImage: image,
        mask: image,
      },
    },
    {
      name: "a negative prompt on flux-1.1-pro",
      request: {
        model: "black-forest-labs/flux-1.1-pro",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "x",
        negativePrompt: "blur",
        width: 1024,
        height: 1024,
        numOutputs: 1,
      },
    },
    {
      name: "a size flux-schnell does not render",
      request: {
        model: "black-forest-labs/flux-schnell",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "x",
        width: 1000,
        height: 1000,
        numOutputs: 1,
      },
    },
    { name: "five sdxl outputs", request: { ...sdxl, numOutputs: 5 } },
    {
      name: "guidance on flux-schnell",
      request: {
        model: "black-forest-labs/flux-schnell",
        operation: Operation.TEXT_TO_IMAGE,
        prompt: "x",
        width: 1024,
        height: 1024,
        numOutputs: 1,
        guidance: 3,
      },
    },
    { name: "jpeg from sdxl", request: { ...sdxl, outputFormat: Format.JPEG } },
  ],
});
