import { ErrorReason } from "@imagegen/errors";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { fileParts, inputImage, reasonOf, stabilityRequest, textParts } from "./test-requests.ts";
import { translateStabilityRequest } from "./translate-request.ts";

describe("stability /v2beta/stable-image/edit request", () => {
  it("inpaint sends image and the white-means-edit mask unchanged (Stability's own convention)", () => {
    const mask = { data: Buffer.from("mask"), format: Format.PNG, width: 64, height: 64 };
    const call = translateStabilityRequest(
      stabilityRequest({
        model: "inpaint",
        operation: Operation.INPAINT,
        initImage: inputImage(),
        mask,
        seed: 7,
        outputFormat: Format.JPEG,
      }),
    );
    expect(call.path).toBe("/v2beta/stable-image/edit/inpaint");
    expect(fileParts(call.parts)).toEqual(["image", "mask"]);
    expect(call.parts.find((p) => p.name === "mask")).toEqual({
      name: "mask",
      file: { data: Buffer.from("mask"), filename: "mask.png", contentType: "image/png" },
    });
    expect(textParts(call.parts)).toEqual({ prompt: "a lighthouse", seed: "7", output_format: "jpeg" });
  });

  it("remove-background sends only the image and the format", () => {
    const call = translateStabilityRequest(
      stabilityRequest({
        model: "remove-background",
        operation: Operation.REMOVE_BACKGROUND,
        prompt: "",
        initImage: inputImage(),
        outputFormat: Format.WEBP,
      }),
    );
    expect(call.path).toBe("/v2beta/stable-image/edit/remove-background");
    expect(fileParts(call.parts)).toEqual(["image"]);
    expect(textParts(call.parts)).toEqual({ output_format: "webp" });
  });

  it.each([
    {
      name: "inpaint without a mask",
      req: stabilityRequest({ model: "inpaint", operation: Operation.INPAINT, initImage: inputImage() }),
      reason: ErrorReason.INVALID_REQUEST,
    },
    {
      name: "remove-background without an image",
      req: stabilityRequest({ model: "remove-background", operation: Operation.REMOVE_BACKGROUND }),
      reason: ErrorReason.INVALID_REQUEST,
    },
  ])("refuses $name", ({ req, reason }) => {
    expect(reasonOf(() => translateStabilityRequest(req))).toBe(reason);
  });
});
