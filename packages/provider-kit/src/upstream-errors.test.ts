import { ErrorReason } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { describeError } from "@imagegen/errors";
import { parseRetryAfter, reasonForStatus, upstreamError } from "./upstream-errors.ts";
import { createRedactor } from "./redact.ts";

describe("reasonForStatus", () => {
  it.each([
    [400, ErrorReason.UPSTREAM_INVALID_REQUEST],
    [401, ErrorReason.UPSTREAM_AUTH],
    [402, ErrorReason.UPSTREAM_AUTH],
    [403, ErrorReason.UPSTREAM_AUTH],
    [404, ErrorReason.MODEL_NOT_AVAILABLE],
    [408, ErrorReason.TIMEOUT],
    [422, ErrorReason.UPSTREAM_INVALID_REQUEST],
    [429, ErrorReason.UPSTREAM_RATE_LIMITED],
    [500, ErrorReason.UPSTREAM_UNAVAILABLE],
    [503, ErrorReason.UPSTREAM_UNAVAILABLE],
    [504, ErrorReason.TIMEOUT],
  ])("maps HTTP %i to %s", (status, reason) => {
    expect(reasonForStatus(status)).toBe(reason);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    ["7", 7],
    ["1.2", 2],
    ["Thu, 01 Jan 2026 00:00:30 GMT", 30],
    ["Wed, 31 Dec 2025 23:00:00 GMT", 0],
    ["soon", undefined],
    [null, undefined],
  ])("reads %s as %s seconds", (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });
});

describe("upstreamError", () => {
  const redact = createRedactor(["sk-secret-123"]);
  const build = (status: number, message: string, headers: Record<string, string> = {}) =>
    describeError(
      upstreamError({
        provider: "acme",
        response: { status, headers: new Headers(headers), text: "" },
        vendor: { message },
        redact,
      }),
    );

  it("blames our configuration, not the caller, for the vendor's 401 and never relays its words", () => {
    const error = build(401, "your token sk-secret-123 is invalid");
    expect(error.row.name).toBe("UPSTREAM_AUTH");
    expect(error.row.httpStatus).not.toBe(401);
    expect(error.message).toMatch(/operator must fix the acme configuration/);
    expect(error.message).not.toMatch(/token/);
    expect(error.metadata).toEqual({ provider: "acme", upstream_status: "401" });
  });

  it.each([
    [400, "UPSTREAM_INVALID_REQUEST"],
    [404, "MODEL_NOT_AVAILABLE"],
    [500, "UPSTREAM_UNAVAILABLE"],
    [504, "TIMEOUT"],
  ])("relays the vendor's own words of a %i next to our reason, scrubbed (seed 000)", (status, reason) => {
    const error = build(status, "the vendor says no (key sk-secret-123)");
    expect(error.row.name).toBe(reason);
    expect(error.metadata).toEqual({
      provider: "acme",
      upstream_status: String(status),
      upstream_message: "the vendor says no (key [REDACTED])",
    });
  });

  it.each([402, 403, 429])(
    "keeps the vendor's words of a %i to itself (our credentials, billing or account limits)",
    (status) => {
      expect(build(status, "org-123 over its limit").metadata.upstream_message).toBeUndefined();
    },
  );

  it("relays a vendor's title, and its detail as the message (Replicate's problem+json)", () => {
    const error = describeError(
      upstreamError({
        provider: "replicate",
        response: { status: 422, headers: new Headers(), text: "" },
        vendor: {
          message: "Invalid version or not permitted: no such version",
          title: "Invalid version or not permitted",
          detail: "no such version",
        },
        redact,
      }),
    );
    expect(error.metadata).toEqual({
      provider: "replicate",
      upstream_status: "422",
      upstream_title: "Invalid version or not permitted",
      upstream_message: "no such version",
    });
  });

  it("relays the vendor's text for a 422, scrubbed", () => {
    const error = build(422, "width must be <= 1440 (key sk-secret-123)");
    expect(error.row.name).toBe("UPSTREAM_INVALID_REQUEST");
    expect(error.message).toBe("provider acme rejected the request: width must be <= 1440 (key [REDACTED])");
  });

  it("carries Retry-After on a 429, defaulting to 10 s", () => {
    expect(build(429, "", { "retry-after": "7" }).retryAfterSeconds).toBe(7);
    expect(build(429, "").retryAfterSeconds).toBe(10);
  });
});
