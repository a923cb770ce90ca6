import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describeError, ErrorReason } from "@imagegen/errors";
import { GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { translateA1111Request } from "./translate-request.ts";
import { translateA1111Response } from "./translate-response.ts";

const request = (fields: MessageInitShape<typeof GenerateRequestSchema>) =>
  create(GenerateRequestSchema, {
    model: "sd_xl_base_1.0",
    operation: Operation.TEXT_TO_IMAGE,
    prompt: "a puppy",
    numOutputs: 1,
    ...fields,
  });

describe("automatic1111 /sdapi/v1/txt2img request", () => {
  it.each([
    {
      name: "maps every canonical field and picks the checkpoint per call",
      req: request({
        negativePrompt: "blurry",
        seed: 1234,
        steps: 20,
        guidance: 7.5,
        width: 768,
        height: 512,
        numOutputs: 2,
        sampler: "Euler a",
        scheduler: "Karras",
      }),
      json: {
        prompt: "a puppy",
        negative_prompt: "blurry",
        seed: 1234,
        steps: 20,
        cfg_scale: 7.5,
        width: 768,
        height: 512,
        batch_size: 2,
        n_iter: 1,
        sampler_name: "Euler a",
        scheduler: "Karras",
        override_settings: { sd_model_checkpoint: "sd_xl_base_1.0" },
        send_images: true,
        save_images: false,
      },
    },
    {
      name: "no seed asks for a random one (-1) and leaves the server's defaults",
      req: request({}),
      json: {
        prompt: "a puppy",
        seed: -1,
        batch_size: 1,
        n_iter: 1,
        override_settings: { sd_model_checkpoint: "sd_xl_base_1.0" },
        send_images: true,
        save_images: false,
      },
    },
  ])("$name", ({ req, json }) => {
    expect(translateA1111Request(req)).toEqual({ path: "/sdapi/v1/txt2img", json });
  });

  it("refuses upscaling", () => {
    let reason;
    try {
      translateA1111Request(request({ operation: Operation.UPSCALE }));
    } catch (error) {
      reason = describeError(error).row.reason;
    }
    expect(reason).toBe(ErrorReason.UNSUPPORTED);
  });
});

describe("automatic1111 txt2img answer", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");

  it.each([
    {
      name: "decodes each image with its seed from the doubly-encoded info",
      body: {
        images: [b64("one"), b64("two")],
        info: JSON.stringify({ seed: 5, all_seeds: [5, 6], index_of_first_image: 0 }),
      },
      want: [
        { data: Buffer.from("one"), seed: 5 },
        { data: Buffer.from("two"), seed: 6 },
      ],
    },
    {
      name: "skips the grid the server prepended",
      body: {
        images: [b64("grid"), b64("one"), b64("two")],
        info: JSON.stringify({ all_seeds: [5, 6], index_of_first_image: 1 }),
      },
      want: [
        { data: Buffer.from("one"), seed: 5 },
        { data: Buffer.from("two"), seed: 6 },
      ],
    },
    {
      name: "tolerates a data: prefix and an unreadable info",
      body: { images: [`data:image/png;base64,${b64("one")}`], info: "{not json" },
      want: [{ data: Buffer.from("one"), seed: undefined }],
    },
  ])("$name", ({ body, want }) => {
    expect(translateA1111Response(body)).toEqual(want);
  });

  it.each([
    { name: "no images (send_images ignored)", body: { images: [], info: "{}" } },
    { name: "only a grid", body: { images: ["Z3JpZA=="], info: JSON.stringify({ index_of_first_image: 1 }) } },
    { name: "no images key", body: { detail: "x" } },
    { name: "a non-object", body: null },
  ])("treats $name as UPSTREAM_BAD_RESPONSE", ({ body }) => {
    let reason;
    try {
      translateA1111Response(body);
    } catch (error) {
      reason = describeError(error).row.reason;
    }
    expect(reason).toBe(ErrorReason.UPSTREAM_BAD_RESPONSE);
  });
});
