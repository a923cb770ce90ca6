import { ErrorReason } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { mapStabilityError } from "./map-error.ts";

const envelope = (name: string, errors: string[]) =>
  JSON.stringify({ id: "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4", name, errors });

describe("stability error envelope", () => {
  it.each([
    {
      name: "403 content_moderation is the caller's content, not our key",
      status: 403,
      text: envelope("content_moderation", ["Your request was flagged by our content moderation system."]),
      want: { moderated: true, message: "Your request was flagged by our content moderation system." },
    },
    {
      name: "422 public_figure is a moderation refusal",
      status: 422,
      text: envelope("public_figure", ["Our system detected the likeness of a public figure in your image."]),
      want: { moderated: true, message: "Our system detected the likeness of a public figure in your image." },
    },
    {
      name: "422 invalid_language is INVALID_PROMPT",
      status: 422,
      text: envelope("invalid_language", ["English is the only supported language for this service."]),
      want: {
        reason: ErrorReason.INVALID_PROMPT,
        message: "English is the only supported language for this service.",
        fieldViolations: undefined,
      },
    },
    {
      name: "413 payload_too_large",
      status: 413,
      text: envelope("payload_too_large", ["body: payloads cannot be larger than 10MiB in size"]),
      want: {
        reason: ErrorReason.PAYLOAD_TOO_LARGE,
        message: "body: payloads cannot be larger than 10MiB in size",
        fieldViolations: [{ field: "body", description: "payloads cannot be larger than 10MiB in size" }],
      },
    },
    {
      name: "400 names the fields at fault",
      status: 400,
      text: envelope("bad_request", ["prompt: is required", "seed: must be <= 4294967294"]),
      want: {
        reason: undefined,
        message: "prompt: is required; seed: must be <= 4294967294",
        fieldViolations: [
          { field: "prompt", description: "is required" },
          { field: "seed", description: "must be <= 4294967294" },
        ],
      },
    },
    {
      name: "401 leaves the reason to the status table and names no field",
      status: 401,
      text: envelope("unauthorized", ["authorization: invalid or missing header value"]),
      want: {
        reason: undefined,
        message: "authorization: invalid or missing header value",
        fieldViolations: undefined,
      },
    },
    { name: "a non-JSON body says nothing", status: 500, text: "upstream connect error", want: {} },
  ])("$name", ({ status, text, want }) => {
    expect(mapStabilityError({ status, text })).toEqual(want);
  });
});
