import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { apiError, describeError } from "./api-error.ts";
import { allErrorRows, errorRowByName } from "./error-table.ts";
import { ErrorReason } from "@imagegen/proto/imagegen/v1/errors_pb";

describe("error table", () => {
  // The table of seed 004 ("Common Error Codes"), which our table must reproduce exactly.
  const seed: Array<[string, number]> = [
    ["UNAUTHORIZED", 401],
    ["FORBIDDEN", 403],
    ["NOT_FOUND", 404],
    ["INVALID_REQUEST", 400],
    ["INVALID_PROMPT", 400],
    ["MODEL_NOT_AVAILABLE", 503],
    ["RATE_LIMITED", 429],
    ["QUOTA_EXCEEDED", 402],
    ["INVALID_IMAGE", 400],
    ["GENERATION_FAILED", 500],
    ["TIMEOUT", 504],
    ["MAINTENANCE", 503],
  ];
  it.each(seed)("%s is HTTP %i as seed 004 documents", (name, status) => {
    expect(errorRowByName(name)?.httpStatus).toBe(status);
  });

  it("gives every reason a gRPC code, a status and a type", () => {
    for (const row of allErrorRows()) {
      expect(row.httpStatus, row.name).toBeGreaterThanOrEqual(400);
      expect(row.type, row.name).not.toBe("");
    }
  });

  it("never blames the caller for our provider credentials", () => {
    const row = errorRowByName("UPSTREAM_AUTH");
    expect(row?.httpStatus).not.toBe(401);
    expect(row?.httpStatus).not.toBe(403);
  });

  it("round-trips reason, fields and retry hint through a ConnectError", () => {
    const error = apiError(ErrorReason.RATE_LIMITED, "slow down", {
      retryAfterSeconds: 7,
      fieldViolations: [{ field: "parameters.width", description: "too big", rule: "uint32.lte" }],
      metadata: { limit: "10" },
    });
    expect(error.code).toBe(Code.ResourceExhausted);
    const described = describeError(error);
    expect(described.row.name).toBe("RATE_LIMITED");
    expect(described.retryAfterSeconds).toBe(7);
    expect(described.fieldViolations).toEqual([
      { field: "parameters.width", description: "too big", rule: "uint32.lte" },
    ]);
    expect(described.metadata).toEqual({ limit: "10" });
  });

  it("hides the text of unexpected exceptions", () => {
    const described = describeError(new Error("ENOENT /secret/path token=abc"));
    expect(described.row.name).toBe("INTERNAL");
    expect(described.message).toBe("internal error");
  });
});
