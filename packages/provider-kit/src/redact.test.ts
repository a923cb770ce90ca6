import { apiError, ErrorReason } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { createRedactingLogger, createRedactor, redactError } from "./redact.ts";
import { createCapturingLogger } from "./testing/serve-provider.ts";

describe("createRedactor", () => {
  const redact = createRedactor(["r8_abcdef", "r8_abcdef_long", undefined, "ab"]);
  it.each([
    ["Bearer r8_abcdef", "Bearer [REDACTED]"],
    ["r8_abcdef_long and r8_abcdef", "[REDACTED] and [REDACTED]"],
    ["ab stays: too short to be a secret", "ab stays: too short to be a secret"],
    ["nothing here", "nothing here"],
  ])("scrubs %j", (text, expected) => {
    expect(redact(text)).toBe(expected);
  });
});

describe("redactError", () => {
  it("keeps reason and code but scrubs the message", () => {
    const error = redactError(
      apiError(ErrorReason.UPSTREAM_INVALID_REQUEST, "bad key tok_12345"),
      createRedactor(["tok_12345"]),
    );
    expect((error as Error).message).toContain("bad key [REDACTED]");
    expect((error as Error).message).not.toContain("tok_12345");
  });
});

describe("createRedactingLogger", () => {
  it("scrubs messages, fields, nested errors and bound fields", () => {
    const sink = createCapturingLogger();
    const logger = createRedactingLogger(sink, createRedactor(["tok_12345"]));
    logger
      .with({ auth: "Bearer tok_12345" })
      .warn("failed tok_12345", { error: new Error("echo tok_12345"), nested: { a: ["tok_12345"] } });
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).not.toContain("tok_12345");
    expect(sink.lines[0]).toContain("[REDACTED]");
  });
});
