import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { runProviderContractSuite, testImage } from "@imagegen/provider-kit/testing";
import { bflProvider } from "../src/bfl-provider.ts";
import { startFakeBfl } from "./fake-bfl.ts";

const png = await testImage("png", 64, 64);
const image = { data: png, format: Format.PNG, width: 64, height: 64 };
const pro = {
  model: "flux-pro-1.1",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a mountain lake",
  width: 1024,
  height: 768,
  numOutputs: 1,
  seed: 3,
  outputFormat: Format.JPEG,
};

runProviderContractSuite({
  definition: bflProvider,
  startFake: (key) => startFakeBfl({ key }),
  baseline: pro,
  happy: [
    { name: "flux-pro-1.1 text-to-image via the returned polling_url", request: pro, images: 1 },
    {
      name: "flux-dev with steps and guidance, PNG",
      request: { ...pro, model: "flux-dev", steps: 28, guidance: 3, outputFormat: Format.PNG },
      images: 1,
    },
    {
      name: "flux-pro-1.0-fill inpainting",
      request: {
        ...pro,
        model: "flux-pro-1.0-fill",
        operation: Operation.INPAINT,
        width: 0,
        height: 0,
        initImage: image,
        mask: image,
        outputFormat: Format.WEBP,
      },
      images: 1,
    },
  ],
  undeclared: [
    { name: "two outputs (one image per task)", request: { ...pro, numOutputs: 2 } },
    { name: "a negative prompt", request: { ...pro, negativePrompt: "blur" } },
    { name: "steps on flux-pro-1.1", request: { ...pro, steps: 30 } },
    { name: "a width that is not a multiple of 32", request: { ...pro, width: 1000 } },
    {
      name: "image-to-image on flux-pro-1.1",
      request: { ...pro, operation: Operation.IMAGE_TO_IMAGE, initImage: image },
    },
  ],
});
