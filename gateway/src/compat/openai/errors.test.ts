import { apiError, ErrorReason, promptRefusal } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { renderOpenAiError } from "./errors.ts";

describe("OpenAI error rendering", () => {
  it.each([
    [apiError(ErrorReason.UNAUTHORIZED, "bad key"), 401, "invalid_request_error", "invalid_api_key", null],
    [
      apiError(ErrorReason.RATE_LIMITED, "slow down", { retryAfterSeconds: 7 }),
      429,
      "requests",
      "rate_limit_exceeded",
      null,
    ],
    [apiError(ErrorReason.QUOTA_EXCEEDED, "spent"), 429, "insufficient_quota", "insufficient_quota", null],
    [apiError(ErrorReason.CONTENT_POLICY, "refused"), 400, "invalid_request_error", "content_policy_violation", null],
    [promptRefusal(), 400, "invalid_request_error", "content_policy_violation", null],
    [apiError(ErrorReason.INVALID_PROMPT, "empty"), 400, "invalid_request_error", "invalid_prompt", null],
    [
      apiError(ErrorReason.NOT_FOUND, "no model", { metadata: { model: "x" } }),
      404,
      "invalid_request_error",
      "model_not_found",
      null,
    ],
    [
      apiError(ErrorReason.INVALID_REQUEST, "too many", {
        fieldViolations: [{ field: "parameters.num_outputs", description: "at most 4" }],
      }),
      400,
      "invalid_request_error",
      "invalid_request",
      "n",
    ],
    [
      apiError(ErrorReason.INVALID_IMAGE, "bad", { fieldViolations: [{ field: "init_image", description: "bad" }] }),
      400,
      "invalid_request_error",
      "invalid_image",
      "image",
    ],
    [apiError(ErrorReason.UPSTREAM_UNAVAILABLE, "down"), 502, "server_error", "upstream_unavailable", null],
    [new Error("secret path /etc/x"), 500, "server_error", "internal", null],
  ])("renders %s as OpenAI's error object", (error, status, type, code, param) => {
    const out = renderOpenAiError(error);
    expect(out.status).toBe(status);
    expect(Object.keys(out.body.error)).toEqual(["message", "type", "param", "code"]);
    expect(out.body.error).toMatchObject({ type, code, param });
    expect(out.body.error.message).not.toContain("/etc/x");
  });

  it("names the fields the client sent in the message, never the canonical ones", () => {
    const error = apiError(
      ErrorReason.INVALID_REQUEST,
      "invalid request: parameters.num_outputs: value must be less than or equal to 4; parameters.width: value must be a multiple of 8",
      {
        fieldViolations: [
          { field: "parameters.num_outputs", description: "value must be less than or equal to 4" },
          { field: "parameters.width", description: "value must be a multiple of 8" },
        ],
      },
    );
    const { message, param } = renderOpenAiError(error).body.error;
    expect(message).toBe(
      "Invalid 'n': value must be less than or equal to 4; Invalid 'size' (width): value must be a multiple of 8",
    );
    expect(message).not.toMatch(/parameters\.|num_outputs/);
    expect(param).toBe("n");
    // A message about a field the client named already is left alone.
    const own = apiError(ErrorReason.INVALID_REQUEST, "size must be WIDTHxHEIGHT or auto", {
      fieldViolations: [{ field: "size", description: "x" }],
    });
    expect(renderOpenAiError(own).body.error.message).toBe("size must be WIDTHxHEIGHT or auto");
  });

  it("keeps the retry hint of a rate limit", () => {
    expect(renderOpenAiError(apiError(ErrorReason.RATE_LIMITED, "x", { retryAfterSeconds: 7 })).retryAfterSeconds).toBe(
      7,
    );
  });
});
