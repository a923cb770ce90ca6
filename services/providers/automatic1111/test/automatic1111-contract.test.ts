import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { runProviderContractSuite, testImage } from "@imagegen/provider-kit/testing";
import { createAutomatic1111Provider } from "../src/automatic1111-provider.ts";
import { startFakeA1111 } from "./fake-automatic1111.ts";

const image = { data: await testImage("png", 64, 64), format: Format.PNG, width: 64, height: 64 };
const sdxl = {
  model: "sd_xl_base_1.0",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a maltese puppy",
  width: 512,
  height: 512,
  numOutputs: 1,
  seed: 1234,
};

// The suite sets <ID>_BASE_URL and judges "configured" by the first token variable; A1111 is
// configured by A1111_BASE_URL instead (config-automatic1111.test.ts proves that rule), so the
// suite runs it in its authenticated mode: A1111_API_AUTH as a reverse proxy's bearer token.
const { baseUrlEnv: _baseUrlEnv, notConfiguredReason: _notConfigured, ...definition } = createAutomatic1111Provider({});

runProviderContractSuite({
  definition,
  startFake: (token) => startFakeA1111({ credential: token, grid: true }),
  baseline: sdxl,
  happy: [
    {
      name: "txt2img with every canonical parameter, a batch of three behind a grid",
      request: {
        ...sdxl,
        numOutputs: 3,
        negativePrompt: "blurry",
        steps: 20,
        guidance: 7,
        sampler: "Euler a",
        width: 768,
      },
      images: 3,
    },
    {
      name: "img2img keeping the input size",
      request: { ...sdxl, width: 0, height: 0, operation: Operation.IMAGE_TO_IMAGE, initImage: image, strength: 0.5 },
      images: 1,
    },
    {
      name: "img2img inpainting with a white-means-edit mask",
      request: { ...sdxl, operation: Operation.INPAINT, initImage: image, mask: image },
      images: 1,
    },
    { name: "the other declared checkpoint", request: { ...sdxl, model: "v1-5-pruned-emaonly" }, images: 1 },
  ],
  undeclared: [
    { name: "nine outputs", request: { ...sdxl, numOutputs: 9 } },
    { name: "a size that is not a multiple of 8", request: { ...sdxl, width: 500 } },
    { name: "JPEG (the server's samples_format decides)", request: { ...sdxl, outputFormat: Format.JPEG } },
    { name: "upscaling", request: { ...sdxl, operation: Operation.UPSCALE, initImage: image } },
  ],
  // The WebUI's 404s are about the request ("Sampler not found"), not an unknown model.
  statusReasons: { 404: "INVALID_REQUEST" },
  outcomesNotOffered: ["moderated"],
});
