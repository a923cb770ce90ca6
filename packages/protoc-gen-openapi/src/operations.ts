import {
  getOption,
  hasOption,
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescService,
} from "@bufbuild/protobuf";
import { http } from "@imagegen/proto/google/api/annotations_pb";
import type { HttpRule } from "@imagegen/proto/google/api/http_pb";
import { fieldRules, isRequired, type JsonSchema } from "./constraints.ts";
import { errorResponseRefs } from "./errors.ts";
import { examplesFor } from "./examples.ts";
import { commentOf, type SchemaCollector } from "./schemas.ts";

/** One REST binding of an RPC, as gateway/src/rest/route-table.ts reads it. */
export interface Binding {
  readonly method: DescMethod;
  readonly httpMethod: string;
  readonly path: string;
  readonly body: string;
  readonly responseBody: string;
}

/** Every google.api.http binding (with additional_bindings) of a service's methods. */
export function bindingsOf(service: DescService): Binding[] {
  const out: Binding[] = [];
  for (const method of service.methods) {
    if (!hasOption(method, http)) continue;
    const rule = getOption(method, http);
    for (const r of [rule, ...rule.additionalBindings]) {
      const b = toBinding(method, r);
      if (b) out.push(b);
    }
  }
  return out;
}

function toBinding(method: DescMethod, rule: HttpRule): Binding | undefined {
  const p = rule.pattern;
  if (p.case === "custom")
    return {
      method,
      httpMethod: p.value.kind.toLowerCase(),
      path: p.value.path,
      body: rule.body,
      responseBody: rule.responseBody,
    };
  if (p.case === undefined || p.case === ("additionalBindings" as never)) return undefined;
  return { method, httpMethod: p.case, path: p.value, body: rule.body, responseBody: rule.responseBody };
}

/**
 * The OpenAPI path of a template: "/api/v2/generations/{id}:cancel" stays as is (a verb is
 * literal text); "{name=collections/*}" becomes "{name}" with the segment pattern documented.
 */
export function openApiPath(template: string): { path: string; variables: string[] } {
  const variables: string[] = [];
  const path = template.replace(/\{([\w.]+)(=[^}]*)?\}/g, (_, name: string) => {
    variables.push(name);
    return `{${name}}`;
  });
  return { path, variables };
}

/** The OpenAPI operation of one binding: parameters, body, statuses, errors and examples. */
export function operationFor(
  binding: Binding,
  service: DescService,
  schemas: SchemaCollector,
  errorStatuses: readonly number[],
): JsonSchema {
  const { method } = binding;
  const { variables } = openApiPath(binding.path);
  const parameters: JsonSchema[] = variables.map((name) => {
    const field = resolveField(method.input, name);
    return {
      name,
      in: "path",
      required: true,
      description: field && commentOf(field),
      schema: field ? schemas.field(field) : { type: "string" },
    };
  });
  // The transcoder reads the query for every request field not bound by the path or the body.
  if (binding.body !== "*") {
    const bound = new Set([...variables, ...(binding.body ? [binding.body] : [])]);
    for (const [name, field] of queryFields(method.input, "", bound)) {
      const schema = schemas.field(field);
      parameters.push({
        name,
        in: "query",
        required: isRequired(fieldRules(field)),
        description: commentOf(field),
        schema,
        ...(field.fieldKind === "list" ? { style: "form", explode: true } : {}),
      });
    }
  }
  const op: JsonSchema = {
    operationId: `${service.name}_${method.name}`,
    tags: [service.name],
    summary: firstSentence(commentOf(method)) ?? method.name,
    description: [commentOf(method), `RPC: \`${service.typeName}/${method.name}\``].filter(Boolean).join("\n\n"),
  };
  if (parameters.length) op.parameters = parameters.map(dropUndefined);
  const examples = examplesFor(method);
  if (binding.body !== "") {
    const schema =
      binding.body === "*"
        ? variables.length
          ? schemas.messageBody(method.input, new Set(variables.map((v) => v.split(".")[0] as string)))
          : schemas.message(method.input)
        : bodyFieldSchema(method.input, binding.body, schemas);
    const content: JsonSchema = { schema };
    if (examples.request !== undefined) content.example = examples.request;
    // An empty body is allowed unless some field the body carries is required.
    const required =
      binding.body !== "*" || (schema.$ref ? isRequiredBody(method.input) : Array.isArray(schema.required));
    op.requestBody = { required, content: { "application/json": content } };
  }
  op.responses = { ...successResponses(binding, schemas, examples.response), ...errorResponseRefs(errorStatuses) };
  return op;
}

function successResponses(binding: Binding, schemas: SchemaCollector, example: unknown): JsonSchema {
  const { method } = binding;
  if (method.methodKind === "server_streaming") {
    return {
      "200": {
        description: `Server-Sent Events: one \`data:\` line per ${method.output.name} (REST JSON), \`event:\` set to its type; an \`error\` event ends a failed stream.`,
        content: {
          "text/event-stream": { schema: { type: "string" }, "x-event-schema": schemas.message(method.output) },
        },
      },
    };
  }
  // The statuses rest-handler.ts sends: 204 for empty answers, 202 for a generation or a process
  // job still running, 201 for Create/Add methods over POST, 200 otherwise.
  if (method.output.fields.length === 0) return { "204": { description: "Done; no content." } };
  const schema = binding.responseBody
    ? bodyFieldSchema(method.output, binding.responseBody, schemas)
    : schemas.message(method.output);
  const content = { "application/json": example === undefined ? { schema } : { schema, example } };
  if (method.output.typeName === "imagegen.v1.Generation") {
    return {
      "200": { description: "The generation finished (completed, failed or canceled) within the wait bound.", content },
      "202": {
        description:
          "The generation is still queued or processing: poll GET /api/v2/generations/{id}, watch it, or wait for the webhook.",
        content: { "application/json": { schema } },
      },
    };
  }
  if (PROCESS_JOB_RESPONSES.has(method.output.typeName)) {
    return {
      "200": { description: "The job finished within the wait bound: its result.", content },
      "202": {
        description:
          "The job is still running: only `id` is set, the generation to poll (GET /api/v2/generations/{id}, whose images hold the result) or watch.",
        content: { "application/json": { schema } },
      },
    };
  }
  if (binding.httpMethod === "post" && /^(Create|Add)/.test(method.name))
    return { "201": { description: "Created.", content } };
  return { "200": { description: "OK.", content } };
}

/** Process calls run as provider jobs: `{id, result}` when done, `{id}` alone while running. */
const PROCESS_JOB_RESPONSES: ReadonlySet<string> = new Set([
  "imagegen.v1.UpscaleResponse",
  "imagegen.v1.RemoveBackgroundResponse",
]);

function bodyFieldSchema(message: DescMessage, fieldName: string, schemas: SchemaCollector): JsonSchema {
  const field = message.fields.find((f) => f.name === fieldName);
  if (!field) throw new Error(`${message.typeName} has no field "${fieldName}" named by google.api.http`);
  return schemas.field(field);
}

function isRequiredBody(message: DescMessage): boolean {
  return message.fields.some((f) => isRequired(fieldRules(f)));
}

/** A dotted field path resolved from a message, or undefined. */
function resolveField(message: DescMessage, path: string): DescField | undefined {
  let desc: DescMessage | undefined = message;
  let field: DescField | undefined;
  for (const name of path.split(".")) {
    field = desc?.fields.find((f) => f.name === name);
    if (!field) return undefined;
    desc = field.fieldKind === "message" ? field.message : undefined;
  }
  return field;
}

// The query names setParam accepts: scalar, enum and repeated scalar fields, nested messages
// as dotted paths (well-known types and recursion excluded).
function queryFields(
  message: DescMessage,
  prefix: string,
  bound: ReadonlySet<string>,
  seen = new Set<string>(),
): [string, DescField][] {
  const out: [string, DescField][] = [];
  seen.add(message.typeName);
  for (const field of message.fields) {
    const name = prefix + field.name;
    if (bound.has(name)) continue;
    if (field.fieldKind === "scalar" || field.fieldKind === "enum") out.push([name, field]);
    else if (field.fieldKind === "list" && field.listKind !== "message") out.push([name, field]);
    else if (
      field.fieldKind === "message" &&
      !field.message.typeName.startsWith("google.protobuf.") &&
      !seen.has(field.message.typeName)
    ) {
      out.push(...queryFields(field.message, `${name}.`, bound, new Set(seen)));
    }
  }
  return out;
}

function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const line = text.split("\n")[0] as string;
  return line.replace(/\.$/, "");
}

function dropUndefined(o: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
