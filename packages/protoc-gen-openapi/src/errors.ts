import { getOption, type DescEnum } from "@bufbuild/protobuf";
import { error_spec } from "@imagegen/proto/imagegen/v1/errors_pb";
import type { JsonSchema } from "./constraints.ts";
import { commentOf } from "./schemas.ts";

/** One row of errors.proto's table, as the OpenAPI document shows it. */
export interface ErrorTableRow {
  /** The public code, e.g. "RATE_LIMITED". */
  readonly code: string;
  readonly httpStatus: number;
  /** The gRPC status code name, e.g. "RESOURCE_EXHAUSTED" (Connect uses the same codes). */
  readonly grpcCode: string;
  /** The seed-004 envelope `error.type`. */
  readonly type: string;
  readonly description: string;
}

/**
 * The error table read from the ErrorReason enum's error_spec options (UNSPECIFIED left out);
 * `codes` is google.rpc.Code, for the gRPC code names.
 */
export function errorTable(reasons: DescEnum, codes: DescEnum): ErrorTableRow[] {
  const prefix = "ERROR_REASON_";
  return reasons.values
    .filter((v) => v.number !== 0)
    .map((v) => {
      const spec = getOption(v, error_spec);
      const grpcCode = codes.values.find((c) => c.number === (spec.code as number))?.name ?? String(spec.code);
      return {
        code: v.name.slice(prefix.length),
        httpStatus: spec.httpStatus,
        grpcCode,
        type: spec.type,
        description: commentOf(v) ?? "",
      };
    });
}

/**
 * The error envelope schema (gateway/src/rest/error-envelope.ts) and one reusable response
 * per HTTP status of the table, each listing the codes that travel with that status.
 */
export function errorComponents(rows: readonly ErrorTableRow[]): {
  schemas: Record<string, JsonSchema>;
  responses: Record<string, JsonSchema>;
} {
  const envelope: JsonSchema = {
    type: "object",
    description:
      "Every REST error: seed 004's envelope. `code` is one of the table in errors.proto; `details.field` names the first invalid field.",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["type", "code", "message", "details", "request_id", "documentation_url"],
        properties: {
          type: { type: "string", enum: [...new Set(rows.map((r) => r.type))] },
          code: {
            type: "string",
            enum: rows.map((r) => r.code),
            description: rows
              .map((r) => `- \`${r.code}\` (${r.httpStatus}): ${r.description.replace(/\n/g, " ")}`)
              .join("\n"),
          },
          message: { type: "string", description: "Short and actionable; never carries a secret." },
          details: {
            type: "object",
            additionalProperties: true,
            properties: {
              field: { type: "string", description: "The first offending field path." },
              reason: { type: "string", description: "The violated rule id, e.g. `string.max_len`." },
              suggestion: { type: "string" },
              violations: {
                type: "array",
                items: {
                  type: "object",
                  properties: { field: { type: "string" }, reason: { type: "string" }, message: { type: "string" } },
                },
              },
              retry_after_seconds: {
                type: "integer",
                description: "With RATE_LIMITED and UPSTREAM_RATE_LIMITED; also in Retry-After.",
              },
            },
          },
          request_id: { type: "string", description: "The X-Request-ID of the call: quote it to support." },
          documentation_url: { type: "string", description: "This code's entry on the errors page." },
        },
      },
    },
  };
  const responses: Record<string, JsonSchema> = {};
  for (const status of statusesOf(rows)) {
    const codes = rows.filter((r) => r.httpStatus === status);
    const first = codes[0] as ErrorTableRow;
    responses[`Error${status}`] = {
      description: `Error (${codes.map((c) => c.code).join(", ")}).`,
      ...(status === 429 || status === 503
        ? {
            headers: {
              "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
            },
          }
        : {}),
      content: {
        "application/json": {
          schema: { $ref: "#/components/schemas/ErrorEnvelope" },
          example: {
            error: {
              type: first.type,
              code: first.code,
              message: first.description.split("\n")[0],
              details: {},
              request_id: "req_xyz789",
              documentation_url: `/docs/errors#${first.code}`,
            },
          },
        },
      },
    };
  }
  return { schemas: { ErrorEnvelope: envelope }, responses };
}

/** The distinct HTTP statuses of the table, ascending. */
export function statusesOf(rows: readonly ErrorTableRow[]): number[] {
  return [...new Set(rows.map((r) => r.httpStatus))].sort((a, b) => a - b);
}

/** An operation's error responses: a $ref per status of the table (any call can meet any of them). */
export function errorResponseRefs(statuses: readonly number[]): Record<string, JsonSchema> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]));
}
