import { ErrorReason } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { mapA1111Error } from "./map-error.ts";

const envelope = (error: string, detail: string, errors = "") => JSON.stringify({ error, detail, body: "", errors });

describe("automatic1111 error bodies", () => {
  it.each([
    {
      name: "404 Sampler not found is the caller's sampler, not an unknown model",
      status: 404,
      text: envelope("HTTPException", "Sampler not found", "404: Sampler not found"),
      want: {
        reason: ErrorReason.INVALID_REQUEST,
        message: "Sampler not found",
        fieldViolations: [{ field: "sampler", description: "Sampler not found" }],
      },
    },
    {
      name: "404 Init image not found is INVALID_IMAGE",
      status: 404,
      text: envelope("HTTPException", "Init image not found"),
      want: {
        reason: ErrorReason.INVALID_IMAGE,
        message: "Init image not found",
        fieldViolations: [{ field: "init_image", description: "Init image not found" }],
      },
    },
    {
      name: "500 Invalid encoded image is INVALID_IMAGE",
      status: 500,
      text: envelope("HTTPException", "Invalid encoded image"),
      want: {
        reason: ErrorReason.INVALID_IMAGE,
        message: "Invalid encoded image",
        fieldViolations: [{ field: "init_image", description: "Invalid encoded image" }],
      },
    },
    {
      name: "a 500 crash names the exception for the operator",
      status: 500,
      text: envelope("OutOfMemoryError", "", "CUDA out of memory"),
      want: { message: "OutOfMemoryError: CUDA out of memory" },
    },
    {
      name: "FastAPI 422 names each field",
      status: 422,
      text: JSON.stringify({
        detail: [{ loc: ["body", "steps"], msg: "value is not a valid integer", type: "type_error.integer" }],
      }),
      want: {
        message: "steps: value is not a valid integer",
        fieldViolations: [{ field: "steps", description: "value is not a valid integer" }],
      },
    },
    { name: "a proxy's HTML page says nothing", status: 502, text: "<html>Bad Gateway</html>", want: {} },
  ])("$name", ({ status, text, want }) => {
    expect(mapA1111Error({ status, text })).toEqual(want);
  });
});
