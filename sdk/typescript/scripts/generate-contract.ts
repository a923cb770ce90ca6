/**
 * Generates src/generated/contract.ts from the API contract (packages/proto/openapi/openapi.json,
 * itself generated from proto/): camelCase interfaces for every schema, the field table the
 * client uses to map camelCase ⇄ snake_case without touching free-form maps (`metadata`), the
 * REST operations, and the error table. Run: `node --import tsx sdk/typescript/scripts/generate-contract.ts`.
 * A test renders it again and compares, so the committed file never drifts from the contract.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface JsonSchema {
  type?: string;
  format?: string;
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: string[];
  required?: string[];
  description?: string;
}
interface Operation {
  operationId: string;
  description?: string;
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> } | { $ref: string }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
  "x-error-table": { code: string; http_status: number; type: string; description: string }[];
}

const HERE = fileURLToPath(new URL(".", import.meta.url));
export const OPENAPI_PATH = join(HERE, "..", "..", "..", "packages", "proto", "openapi", "openapi.json");
export const OUTPUT_PATH = join(HERE, "..", "src", "generated", "contract.ts");

export const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const typeName = (ref: string): string => ref.replace("#/components/schemas/", "").split(".").pop()!;

function docComment(text: string | undefined, indent: string): string {
  if (!text) return "";
  const lines = text.replace(/\*\//g, "*\\/").split("\n");
  return lines.length === 1
    ? `${indent}/** ${lines[0]} */\n`
    : `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

/** Names of schemas reachable from request bodies (their fields stay optional for the caller). */
function inputSchemas(api: OpenApi, inlineBodies: Map<string, JsonSchema>): Set<string> {
  const seen = new Set<string>();
  const visit = (schema: JsonSchema | undefined): void => {
    if (!schema) return;
    if (schema.$ref) {
      const name = typeName(schema.$ref);
      if (seen.has(name)) return;
      seen.add(name);
      visit(api.components.schemas[schema.$ref.replace("#/components/schemas/", "")]);
      return;
    }
    for (const p of Object.values(schema.properties ?? {})) visit(p);
    visit(schema.items);
  };
  for (const [name, body] of inlineBodies) {
    seen.add(name);
    visit(body);
  }
  for (const methods of Object.values(api.paths))
    for (const op of Object.values(methods)) visit(op.requestBody?.content["application/json"]?.schema);
  return seen;
}

function tsType(schema: JsonSchema): string {
  if (schema.$ref) return typeName(schema.$ref);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return `${schema.items ? wrap(tsType(schema.items)) : "unknown"}[]`;
    case "object":
      return schema.properties && Object.keys(schema.properties).length > 0
        ? inlineObject(schema)
        : "Record<string, unknown>";
    default:
      return "unknown";
  }
}
const wrap = (t: string): string => (t.includes(" ") ? `(${t})` : t);
function inlineObject(schema: JsonSchema): string {
  const fields = Object.entries(schema.properties ?? {}).map(([k, v]) => `${camelCase(k)}?: ${tsType(v)}`);
  return `{ ${fields.join("; ")}${schema.additionalProperties ? "; [key: string]: unknown" : ""} }`;
}

/**
 * Whether a response always carries the field: REST emits every implicit field (scalars, enums,
 * lists) but a message field (objects, timestamps) only when it is set.
 */
const alwaysPresent = (schema: JsonSchema, api: OpenApi): boolean => {
  if (schema.format === "date-time") return false;
  if (schema.$ref) return api.components.schemas[schema.$ref.replace("#/components/schemas/", "")]?.type !== "object";
  return schema.type !== "object";
};

function renderInterface(name: string, schema: JsonSchema, isInput: boolean, api: OpenApi): string {
  if (schema.type !== "object")
    return `${docComment(schema.description, "")}export type ${name} = ${tsType(schema)};\n`;
  const required = new Set(schema.required ?? []);
  const lines = Object.entries(schema.properties ?? {}).map(([wire, prop]) => {
    const optional = isInput ? !required.has(wire) : !required.has(wire) && !alwaysPresent(prop, api);
    return `${docComment(prop.description, "  ")}  ${camelCase(wire)}${optional ? "?" : ""}: ${tsType(prop)};`;
  });
  return `${docComment(schema.description, "")}export interface ${name} {\n${lines.join("\n")}\n}\n`;
}

/** The field table entry: wire name → [camelCase name, nested schema name or "*" for free-form]. */
function fieldTable(schema: JsonSchema): Record<string, [string, string?]> {
  const table: Record<string, [string, string?]> = {};
  for (const [wire, prop] of Object.entries(schema.properties ?? {})) {
    const inner = prop.items ?? prop;
    const nested = inner.$ref ? typeName(inner.$ref) : inner.type === "object" && !inner.properties ? "*" : undefined;
    table[wire] = nested ? [camelCase(wire), nested] : [camelCase(wire)];
  }
  return table;
}

export function renderContract(api: OpenApi): string {
  // Inline request bodies (PATCH bodies, empty bodies) get names from their operation.
  const inlineBodies = new Map<string, JsonSchema>();
  const operations: string[] = [];
  for (const [path, methods] of Object.entries(api.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content["application/json"]?.schema;
      let bodyName: string | undefined;
      if (body?.$ref) bodyName = typeName(body.$ref);
      else if (body && Object.keys(body.properties ?? {}).length > 0) {
        bodyName = `${op.operationId.split("_")[1]}Request`;
        inlineBodies.set(bodyName, body);
      }
      const ok = Object.entries(op.responses).find(([status]) => /^2/.test(status))!;
      const okContent = "content" in ok[1] ? ok[1].content : undefined;
      const okSchema = okContent?.["application/json"]?.schema;
      const response = okSchema?.$ref
        ? typeName(okSchema.$ref)
        : okContent?.["text/event-stream"]
          ? "GenerationEvent"
          : undefined;
      const query = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      operations.push(
        `  ${op.operationId}: { method: ${JSON.stringify(method.toUpperCase())}, path: ${JSON.stringify(path)}, query: ${JSON.stringify(query)}, body: ${JSON.stringify(bodyName ?? null)}, response: ${JSON.stringify(response ?? null)} },`,
      );
    }
  }
  const inputs = inputSchemas(api, inlineBodies);
  const schemas = new Map<string, JsonSchema>();
  for (const [key, schema] of Object.entries(api.components.schemas))
    if (key !== "ErrorEnvelope") schemas.set(typeName(key), schema);
  for (const [name, schema] of inlineBodies) schemas.set(name, schema);
  const errorDetails = api.components.schemas.ErrorEnvelope?.properties?.error?.properties?.details;
  if (errorDetails) {
    // Details differ per error (often `{}`): every field optional.
    schemas.set("ErrorDetails", {
      ...errorDetails,
      description: "`details` of an error: which field, which rule, a suggestion.",
    });
    inputs.add("ErrorDetails");
  }

  const out: string[] = [
    "// Generated by sdk/typescript/scripts/generate-contract.ts from packages/proto/openapi/openapi.json.",
    "// Never edit by hand: run `node --import tsx sdk/typescript/scripts/generate-contract.ts`.",
    "",
  ];
  for (const [name, schema] of schemas) out.push(renderInterface(name, schema, inputs.has(name), api));

  const table = api["x-error-table"];
  out.push("/** Every error code the API answers with (the `code` of the error envelope). */");
  out.push(`export type ErrorCode = ${table.map((r) => JSON.stringify(r.code)).join(" | ")};\n`);
  out.push("/** The contract's error table: each code's HTTP status and error `type`. */");
  out.push("export const ERROR_TABLE: Record<ErrorCode, { readonly status: number; readonly type: string }> = {");
  for (const r of table) out.push(`  ${r.code}: { status: ${r.http_status}, type: ${JSON.stringify(r.type)} },`);
  out.push("};\n");

  out.push('/** Wire (snake_case) field → [camelCase name, nested schema or "*" for a free-form map] per schema. */');
  out.push("export const FIELDS: Record<string, Record<string, readonly [string, string?]>> = {");
  for (const [name, schema] of schemas)
    if (schema.type === "object") out.push(`  ${name}: ${JSON.stringify(fieldTable(schema))},`);
  out.push("};\n");

  out.push("/** One REST operation: method, path template, query parameters, body and response schema. */");
  out.push("export interface OperationSpec {");
  out.push(
    "  readonly method: string;\n  readonly path: string;\n  readonly query: readonly string[];\n  readonly body: string | null;\n  readonly response: string | null;",
  );
  out.push("}\n");
  out.push("/** The REST operations by operationId. */");
  out.push("export const OPERATIONS = {");
  out.push(...operations);
  out.push("} as const satisfies Record<string, OperationSpec>;\n");
  out.push("export type OperationId = keyof typeof OPERATIONS;");
  return `${out.join("\n")}\n`;
}

export function readContract(): OpenApi {
  return JSON.parse(readFileSync(OPENAPI_PATH, "utf8")) as OpenApi;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OUTPUT_PATH, renderContract(readContract()));
  console.log(`wrote ${OUTPUT_PATH}`);
}
