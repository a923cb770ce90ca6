import { ErrorReason } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { mapOpenAiError } from "./map-error.ts";

const body = (error: object) =>
  JSON.stringify({ error: { message: "m", type: "invalid_request_error", param: null, code: null, ...error } });

describe("openai error object", () => {
  it.each([
    {
      name: "DALL·E safety refusal is a moderation refusal",
      status: 400,
      text: body({
        code: "content_policy_violation",
        message: "Your request was rejected as a result of our safety system.",
      }),
      want: { moderated: true, message: "OpenAI's safety system rejected the request" },
    },
    {
      name: "GPT image moderation is a moderation refusal",
      status: 400,
      text: body({ type: "image_generation_user_error", code: "moderation_blocked" }),
      want: { moderated: true, message: "OpenAI's safety system rejected the request" },
    },
    {
      name: "exhausted quota on a 429 is our billing problem, not a rate limit",
      status: 429,
      text: body({ type: "insufficient_quota", code: "insufficient_quota" }),
      want: { reason: ErrorReason.UPSTREAM_AUTH },
    },
    {
      name: "billing hard limit on a 400 is our billing problem",
      status: 400,
      text: body({ code: "billing_hard_limit_reached" }),
      want: { reason: ErrorReason.UPSTREAM_AUTH },
    },
    {
      name: "a bad parameter relays OpenAI's words and names the field",
      status: 400,
      text: body({ param: "size", message: "Invalid size" }),
      want: { message: "Invalid size", fieldViolations: [{ field: "size", description: "Invalid size" }] },
    },
    {
      name: "a plain rate limit leaves the reason to the status table",
      status: 429,
      text: body({ type: "requests", code: "rate_limit_exceeded", message: "Rate limit exceeded" }),
      want: { message: "Rate limit exceeded", fieldViolations: undefined },
    },
    { name: "a non-JSON body says nothing", status: 502, text: "<html>bad gateway</html>", want: {} },
    { name: "an empty body says nothing", status: 500, text: "", want: {} },
  ])("$name", ({ status, text, want }) => {
    expect(mapOpenAiError({ status, text })).toEqual(want);
  });
});
