import { describe, expect, it } from "vitest";
import { PUBLIC_SERVICES, publicRegistry } from "../public-services.ts";
import { restJsonToMessage } from "../rest/rest-json.ts";
import { createRouteTable } from "../rest/route-table.ts";
import { loadOpenApiDocument } from "./openapi-document.ts";

const doc = loadOpenApiDocument();
const table = createRouteTable(PUBLIC_SERVICES);

// Every request and response example, with the RPC whose messages it must decode as.
const cases = table.routes.flatMap((route) => {
  const op =
    doc.paths[route.template.source.replace(/\{([\w.]+)(=[^}]*)?\}/g, "{$1}")]?.[route.httpMethod.toLowerCase()];
  const label = `${route.httpMethod} ${route.template.source}`;
  const out: [string, typeof route.method.input, unknown][] = [];
  const request = op?.requestBody?.content?.["application/json"]?.example;
  if (request !== undefined && route.body === "*") out.push([`${label} request`, route.method.input, request]);
  for (const [status, response] of Object.entries((op?.responses ?? {}) as Record<string, any>)) {
    const example = response.content?.["application/json"]?.example;
    if (example !== undefined && status.startsWith("2") && route.responseBody === "")
      out.push([`${label} ${status}`, route.method.output, example]);
  }
  return out;
});

describe("the OpenAPI examples (seed 004's)", () => {
  it("exist for the main generation, processing, model, gallery and webhook calls", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)("%s decodes with the REST transcoder's JSON reader", (_label, schema, example) => {
    expect(() => restJsonToMessage(schema, example as never, publicRegistry)).not.toThrow();
  });
});
