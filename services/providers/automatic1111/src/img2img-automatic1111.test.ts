import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describeError, ErrorReason } from "@imagegen/errors";
import {
  Format,
  GenerateRequestSchema,
  InputImageSchema,
  Operation,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { translateA1111Request } from "./translate-request.ts";

const image = { data: Buffer.from("init"), format: Format.PNG, width: 640, height: 448 };
const mask = { data: Buffer.from("mask"), format: Format.PNG, width: 640, height: 448 };
const request = (fields: MessageInitShape<typeof GenerateRequestSchema>) =>
  create(GenerateRequestSchema, {
    model: "sd_xl_base_1.0",
    prompt: "oil painting",
    numOutputs: 1,
    initImage: create(InputImageSchema, image),
    ...fields,
  });

describe("automatic1111 /sdapi/v1/img2img request", () => {
  it("image-to-image keeps the input's size and sends strength as denoising_strength", () => {
    const call = translateA1111Request(request({ operation: Operation.IMAGE_TO_IMAGE, strength: 0.4 }));
    expect(call.path).toBe("/sdapi/v1/img2img");
    expect(call.json).toMatchObject({
      width: 640,
      height: 448,
      init_images: [Buffer.from("init").toString("base64")],
      denoising_strength: 0.4,
    });
    expect(call.json).not.toHaveProperty("mask");
  });

  it("inpaint sends the white-means-edit mask unchanged and fills from the original", () => {
    const call = translateA1111Request(request({ operation: Operation.INPAINT, mask, width: 512, height: 512 }));
    expect(call.json).toMatchObject({
      width: 512,
      height: 512,
      mask: Buffer.from("mask").toString("base64"),
      inpainting_fill: 1,
    });
  });

  it.each([
    {
      name: "image-to-image without an image",
      req: request({ operation: Operation.IMAGE_TO_IMAGE, initImage: undefined }),
    },
    { name: "inpaint without a mask", req: request({ operation: Operation.INPAINT }) },
  ])("refuses $name as INVALID_REQUEST", ({ req }) => {
    let reason;
    try {
      translateA1111Request(req);
    } catch (error) {
      reason = describeError(error).row.reason;
    }
    expect(reason).toBe(ErrorReason.INVALID_REQUEST);
  });
});
