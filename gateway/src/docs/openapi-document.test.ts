import { allErrorRows } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { PUBLIC_SERVICES } from "../public-services.ts";
import { createRouteTable } from "../rest/route-table.ts";
import { loadOpenApiDocument, type OpenApiDocument } from "./openapi-document.ts";

// The document exactly as GET /openapi.json serves it (generated + fragments).
const doc: OpenApiDocument = loadOpenApiDocument();
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function operations(): [string, string, OpenApiDocument][] {
  return Object.entries(doc.paths as Record<string, OpenApiDocument>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => HTTP_METHODS.includes(m))
      .map(([m, op]) => [path, m, op as OpenApiDocument] as [string, string, OpenApiDocument]),
  );
}

function resolve(ref: string): unknown {
  expect(ref.startsWith("#/"), `only local refs: ${ref}`).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<any>((node, key) => (node === undefined ? undefined : node[key]), doc);
}

function* refsIn(node: unknown, at: string): Generator<[string, string]> {
  if (Array.isArray(node)) for (const [i, v] of node.entries()) yield* refsIn(v, `${at}/${i}`);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") yield [at, v];
      else if (k !== "example" && k !== "examples") yield* refsIn(v, `${at}/${k}`);
    }
  }
}

// "/api/v2/collections/{id}" ⇐ google.api.http "/api/v2/collections/{id}" or "{id=*}".
function openApiPathOf(template: string): string {
  return template.replace(/\{([\w.]+)(=[^}]*)?\}/g, "{$1}");
}

describe("the served OpenAPI document", () => {
  it("declares OpenAPI 3.1 with an info block, paths and components", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
    expect(doc.components.schemas).toBeTypeOf("object");
  });

  it("gives every operation a unique operationId and at least one response", () => {
    const ids = new Set<string>();
    for (const [path, method, op] of operations()) {
      expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
      expect(ids.has(op.operationId), `duplicate ${op.operationId}`).toBe(false);
      ids.add(op.operationId);
      for (const [status, response] of Object.entries(op.responses as object)) {
        expect(status, `${method} ${path}`).toMatch(/^[1-5]\d\d$|^default$/);
        expect(response.$ref ?? response.description, `${method} ${path} ${status}`).toBeTypeOf("string");
      }
    }
  });

  it("declares every path template variable as a required path parameter", () => {
    for (const [path, method, op] of operations()) {
      const variables = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p: any) => p.in === "path");
      expect(declared.map((p: any) => p.name).sort(), `${method} ${path}`).toEqual(variables.sort());
      for (const p of declared) expect(p.required).toBe(true);
    }
  });

  it("resolves every $ref", () => {
    const refs = [...refsIn(doc, "#")];
    expect(refs.length).toBeGreaterThan(50);
    for (const [at, ref] of refs) expect(resolve(ref), `${ref} at ${at}`).toBeDefined();
  });

  it("lists every REST route of the transcoder with its request and response schemas", () => {
    const table = createRouteTable(PUBLIC_SERVICES);
    expect(table.routes.length).toBeGreaterThan(20);
    for (const route of table.routes) {
      const label = `${route.httpMethod} ${route.template.source}`;
      const op = doc.paths[openApiPathOf(route.template.source)]?.[route.httpMethod.toLowerCase()];
      expect(op, label).toBeDefined();
      expect(op.description, label).toContain(`${route.method.parent.typeName}/${route.method.name}`);
      if (route.body !== "") expect(op.requestBody?.content?.["application/json"]?.schema, label).toBeDefined();
      else expect(op.requestBody, label).toBeUndefined();
      const success = Object.entries(op.responses as Record<string, any>).filter(([s]) => s.startsWith("2"));
      expect(success.length, label).toBeGreaterThan(0);
      for (const [status, response] of success) {
        if (status === "204") expect(route.method.output.fields).toHaveLength(0);
        else
          expect(Object.values(response.content ?? {})[0], `${label} ${status}`).toMatchObject({
            schema: expect.any(Object),
          });
      }
    }
  });

  it("answers 202 as well as 200 for generations, 201 for creations and 204 for empty answers, as the REST handler does", () => {
    expect(Object.keys(doc.paths["/api/v2/generate/text-to-image"].post.responses)).toEqual(
      expect.arrayContaining(["200", "202"]),
    );
    expect(Object.keys(doc.paths["/api/v2/collections"].post.responses)).toContain("201");
    expect(Object.keys(doc.paths["/api/v2/collections/{id}"].delete.responses)).toContain("204");
  });

  it("documents every error code of errors.proto with its HTTP status", () => {
    const rows = allErrorRows().filter((r) => r.reason !== 0);
    const envelope = doc.components.schemas.ErrorEnvelope.properties.error.properties;
    expect(envelope.code.enum).toEqual(rows.map((r) => r.name));
    for (const row of rows) {
      const response = doc.components.responses[`Error${row.httpStatus}`];
      expect(response?.description, row.name).toContain(row.name);
    }
    expect(doc["x-error-table"].map((r: any) => [r.code, r.http_status, r.type])).toEqual(
      rows.map((r) => [r.name, r.httpStatus, r.type]),
    );
  });

  it("offers both API key schemes and OAuth 2.0 on every operation", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.apiKeyAuth).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "X-API-Key",
    });
    expect(doc.components.securitySchemes.oauth2).toMatchObject({
      type: "oauth2",
      flows: {
        authorizationCode: { authorizationUrl: "/oauth/authorize", tokenUrl: "/oauth/token" },
        clientCredentials: { tokenUrl: "/oauth/token" },
      },
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }, { oauth2: [] }]);
  });

  it("writes the REST JSON convention: snake_case names, short enum names, limits as constraints", () => {
    const schemas = doc.components.schemas;
    const params = schemas["imagegen.v1.GenerationParameters"].properties;
    expect(params.num_outputs).toMatchObject({ type: "integer", minimum: 1, maximum: 4 });
    expect(params.width).toMatchObject({ minimum: 64, maximum: 2048, multipleOf: 8 });
    expect(schemas["imagegen.v1.TextToImageRequest"]).toMatchObject({ required: ["prompt"] });
    expect(schemas["imagegen.v1.TextToImageRequest"].properties.prompt).toMatchObject({
      minLength: 1,
      maxLength: 1000,
    });
    expect(schemas["imagegen.v1.GenerationStatus"].enum).toEqual([
      "queued",
      "processing",
      "completed",
      "failed",
      "canceled",
    ]);
    expect(schemas["imagegen.v1.Generation"].properties.created_at).toMatchObject({
      type: "string",
      format: "date-time",
    });
    expect(schemas["imagegen.v1.Generation"].properties.metadata).toMatchObject({ type: "object" });
  });
});
