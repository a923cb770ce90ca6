import { ErrorReason } from "@imagegen/errors";
import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { fileParts, inputImage, reasonOf, stabilityRequest, textParts } from "./test-requests.ts";
import { translateStabilityRequest } from "./translate-request.ts";
import { translateStabilityPoll, translateStabilitySubmit } from "./translate-response.ts";

const upscale = (model: string, fields: object = {}) =>
  stabilityRequest({ model, operation: Operation.UPSCALE, initImage: inputImage(), ...fields });

describe("stability /v2beta/stable-image/upscale request", () => {
  it.each([
    {
      name: "fast is sync and takes no prompt",
      model: "upscale-fast",
      path: "/v2beta/stable-image/upscale/fast",
      async: false,
      text: {},
    },
    {
      name: "conservative is sync and needs the prompt",
      model: "upscale-conservative",
      path: "/v2beta/stable-image/upscale/conservative",
      async: false,
      text: { prompt: "a lighthouse" },
    },
    {
      name: "creative is async",
      model: "upscale-creative",
      path: "/v2beta/stable-image/upscale/creative",
      async: true,
      text: { prompt: "a lighthouse" },
    },
  ])("$name", ({ model, path, async, text }) => {
    const call = translateStabilityRequest(upscale(model));
    expect({ path: call.path, async: call.async, text: textParts(call.parts), files: fileParts(call.parts) }).toEqual({
      path,
      async,
      text,
      files: ["image"],
    });
  });

  it.each([
    {
      name: "fast with a factor other than 4",
      req: upscale("upscale-fast", { scale: 2 }),
      reason: ErrorReason.UNSUPPORTED,
    },
    {
      name: "conservative without a prompt",
      req: upscale("upscale-conservative", { prompt: "" }),
      reason: ErrorReason.INVALID_PROMPT,
    },
  ])("refuses $name", ({ req, reason }) => {
    expect(reasonOf(() => translateStabilityRequest(req))).toBe(reason);
  });
});

describe("stability async results", () => {
  const id = "a6dc6c6e20acda010fe14d71f180658f2896ed9b4ec25aa99a6ff06c796987c4";
  const image = { contentType: "image/png", finishReason: "SUCCESS", seed: "12", body: Buffer.from("png") };

  it("reads the 64-hex job id of a submit", () => {
    expect(translateStabilitySubmit({ id })).toBe(id);
  });

  it.each([{ body: {} }, { body: { id: "short" } }, { body: null }])(
    "refuses a submit answer $body as UPSTREAM_BAD_RESPONSE",
    ({ body }) => {
      expect(reasonOf(() => translateStabilitySubmit(body))).toBe(ErrorReason.UPSTREAM_BAD_RESPONSE);
    },
  );

  it.each([
    { name: "202 is still running", status: 202, want: { state: "running" } },
    {
      name: "200 carries the image",
      status: 200,
      want: { state: "done", result: { data: Buffer.from("png"), format: Format.PNG, seed: 12 } },
    },
  ])("$name", ({ status, want }) => {
    expect(translateStabilityPoll(status, image)).toEqual(want);
  });
});
