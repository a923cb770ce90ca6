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

describe("createRedactingLogger on a job's usual fields", () => {
  const redact = createRedactor(["tok_12345", "ab\\ncd"]);

  it("writes plain fields exactly as the JSON round trip did", () => {
    const sink = createCapturingLogger();
    const fields = { job_id: "openai-gen_1", images: 1, ms: 12.5, ok: true, none: null, model: "gpt-image-1 ✓" };
    createRedactingLogger(sink, redact).with({ generation_id: "gen_1" }).info("job finished", fields);
    expect(sink.lines).toEqual([
      JSON.stringify({ level: "info", msg: "job finished", generation_id: "gen_1", ...fields }),
    ]);
  });

  it.each([
    ["a secret in a plain field", { job_id: "tok_12345" }],
    ["a secret in a field's name", { tok_12345: 1 }],
    ["a text whose JSON spells a secret", { note: "ab\ncd" }],
    ["a secret next to an undefined field", { job_id: undefined, error: "x tok_12345" }],
  ])("scrubs %s", (_name, fields) => {
    const sink = createCapturingLogger();
    createRedactingLogger(sink, redact).warn("failed", fields);
    expect(sink.lines[0]).not.toContain("tok_12345");
    expect(sink.lines[0]).not.toContain("ab\\ncd");
    expect(sink.lines[0]).toContain("[REDACTED]");
  });
});
