import { create } from "@bufbuild/protobuf";
import { describeError, ErrorReason } from "@imagegen/errors";
import { Format, GenerateRequestSchema, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { translateOpenAiRequest } from "./translate-request.ts";

const image = (format: Format, width: number, height: number) => ({ data: Buffer.from("img"), format, width, height });

describe("openai /images/variations request", () => {
  it("sends model, image, n, size and base64 response format as multipart", async () => {
    const req = create(GenerateRequestSchema, {
      model: "dall-e-2",
      operation: Operation.VARIATION,
      numOutputs: 4,
      width: 512,
      height: 512,
      initImage: image(Format.PNG, 256, 256),
    });
    expect(await translateOpenAiRequest(req)).toEqual({
      path: "/images/variations",
      parts: [
        { name: "model", value: "dall-e-2" },
        { name: "image", file: { data: Buffer.from("img"), filename: "image.png", contentType: "image/png" } },
        { name: "n", value: "4" },
        { name: "size", value: "512x512" },
        { name: "response_format", value: "b64_json" },
      ],
    });
  });

  it.each([
    { name: "a non-square image", img: image(Format.PNG, 256, 128) },
    { name: "a JPEG", img: image(Format.JPEG, 256, 256) },
  ])("refuses $name as INVALID_IMAGE (dall-e-2 takes square PNGs only)", async ({ img }) => {
    const req = create(GenerateRequestSchema, { model: "dall-e-2", operation: Operation.VARIATION, initImage: img });
    const error = await translateOpenAiRequest(req).catch((e: unknown) => e);
    expect(describeError(error).row.reason).toBe(ErrorReason.INVALID_IMAGE);
  });
});
