import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { runProviderContractSuite, testImage } from "@imagegen/provider-kit/testing";
import { closeBackgroundRemoval } from "../src/background-removal-model.ts";
import { closeSuperResolution } from "../src/super-resolution-model.ts";
import { localProvider } from "../src/local-provider.ts";
import { afterAll } from "vitest";

// The local provider has no vendor behind it: the suite's cases for every provider run (its
// description, each declared operation, refusals before any work), not the upstream ones.
const image = { data: await testImage("png", 64, 64), format: Format.PNG, width: 64, height: 64 };
const small = { data: await testImage("png", 40, 30), format: Format.PNG, width: 40, height: 30 };
const text = {
  model: "local-procedural",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a red lighthouse",
  width: 128,
  height: 96,
  numOutputs: 1,
  seed: 3,
  outputFormat: Format.PNG,
};
const fromImage = { ...text, width: 64, height: 64, initImage: image };

afterAll(() => Promise.all([closeSuperResolution(), closeBackgroundRemoval()]));

runProviderContractSuite({
  definition: localProvider,
  baseline: text,
  happy: [
    { name: "procedural text-to-image, two outputs", request: { ...text, numOutputs: 2 }, images: 2 },
    { name: "text-to-image as WebP", request: { ...text, outputFormat: Format.WEBP }, images: 1 },
    {
      name: "image-to-image",
      request: { ...fromImage, operation: Operation.IMAGE_TO_IMAGE, strength: 0.5 },
      images: 1,
    },
    { name: "inpainting", request: { ...fromImage, operation: Operation.INPAINT, mask: image }, images: 1 },
    { name: "a variation", request: { ...fromImage, operation: Operation.VARIATION }, images: 1 },
    {
      name: "background removal by border keying",
      request: { ...fromImage, operation: Operation.REMOVE_BACKGROUND },
      images: 1,
    },
    // Any input size: the network has no size rule (40×30 is below the renderer's minimum).
    {
      name: "ESRGAN-slim ×2 super-resolution of a 40×30 image",
      request: {
        ...text,
        model: "esrgan-slim",
        operation: Operation.UPSCALE,
        width: 40,
        height: 30,
        initImage: small,
        scale: 2,
        prompt: "",
      },
      images: 1,
    },
    // ISNet needs `npm run models` (the case fails with that hint without it); 45×31 is no multiple of 8.
    {
      name: "ISNet background removal of a 45×31 image",
      request: {
        ...text,
        model: "isnet-medium",
        operation: Operation.REMOVE_BACKGROUND,
        width: 45,
        height: 31,
        initImage: { data: await testImage("png", 45, 31), format: Format.PNG, width: 45, height: 31 },
        prompt: "",
      },
      images: 1,
    },
  ],
  undeclared: [
    { name: "five outputs", request: { ...text, numOutputs: 5 } },
    { name: "a width that is not a multiple of 8", request: { ...text, width: 100 } },
    { name: "a size beyond 2048", request: { ...text, width: 4096 } },
    { name: "text-to-image on esrgan-slim", request: { ...text, model: "esrgan-slim" } },
    { name: "text-to-image on isnet-medium", request: { ...text, model: "isnet-medium" } },
    { name: "an unspecified operation", request: { ...text, operation: Operation.UNSPECIFIED } },
  ],
});
