import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { runProviderContractSuite, testImage } from "@imagegen/provider-kit/testing";
import sharp from "sharp";
import { openAiProvider } from "../src/openai-provider.ts";
import { startFakeOpenAi } from "./fake-openai.ts";

const png = await testImage("png", 64, 64);
const image = { data: png, format: Format.PNG, width: 64, height: 64 };
// Canonical mask: white = edit (the left half).
const whiteLeft = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#000000" } })
  .composite([
    {
      input: await sharp({ create: { width: 32, height: 64, channels: 3, background: "#ffffff" } })
        .png()
        .toBuffer(),
      left: 0,
      top: 0,
    },
  ])
  .png()
  .toBuffer();
const mask = { data: whiteLeft, format: Format.PNG, width: 64, height: 64 };
const gpt = {
  model: "gpt-image-1",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a sea otter",
  width: 1024,
  height: 1024,
  numOutputs: 1,
  seed: 7,
};

runProviderContractSuite({
  definition: openAiProvider,
  startFake: (token) => startFakeOpenAi({ token }),
  baseline: gpt,
  happy: [
    {
      name: "gpt-image-1 generations, two base64 WebP images",
      request: { ...gpt, numOutputs: 2, width: 1536, outputFormat: Format.WEBP },
      images: 2,
    },
    {
      name: "dall-e-3 generations asked as b64_json",
      request: { ...gpt, model: "dall-e-3", width: 1792, height: 1024 },
      images: 1,
    },
    {
      name: "gpt-image-1 edits as image-to-image (multipart)",
      request: { ...gpt, operation: Operation.IMAGE_TO_IMAGE, initImage: image },
      images: 1,
    },
    {
      name: "gpt-image-1 edits with a mask converted to transparency",
      request: { ...gpt, operation: Operation.INPAINT, initImage: image, mask },
      images: 1,
    },
    {
      name: "dall-e-2 inpainting",
      request: {
        ...gpt,
        model: "dall-e-2",
        width: 256,
        height: 256,
        operation: Operation.INPAINT,
        initImage: image,
        mask,
      },
      images: 1,
    },
    {
      name: "dall-e-2 variations",
      request: {
        ...gpt,
        model: "dall-e-2",
        prompt: "",
        width: 256,
        height: 256,
        numOutputs: 3,
        operation: Operation.VARIATION,
        initImage: image,
      },
      images: 3,
    },
  ],
  undeclared: [
    { name: "two dall-e-3 images", request: { ...gpt, model: "dall-e-3", numOutputs: 2 } },
    { name: "a negative prompt (OpenAI has none)", request: { ...gpt, negativePrompt: "blur" } },
    { name: "steps", request: { ...gpt, steps: 30 } },
    { name: "guidance", request: { ...gpt, guidance: 7 } },
    { name: "a size gpt-image-1 does not render", request: { ...gpt, width: 512, height: 512 } },
    { name: "WebP from dall-e-3", request: { ...gpt, model: "dall-e-3", outputFormat: Format.WEBP } },
    { name: "variations of gpt-image-1", request: { ...gpt, operation: Operation.VARIATION, initImage: image } },
    { name: "upscaling", request: { ...gpt, operation: Operation.UPSCALE, initImage: image } },
  ],
});
