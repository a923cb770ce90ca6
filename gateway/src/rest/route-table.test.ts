import { describe, expect, it } from "vitest";
import { PUBLIC_SERVICES } from "../public-services.ts";
import { matchPathTemplate } from "./path-template.ts";
import { createRouteTable, type RestRoute } from "./route-table.ts";

const table = createRouteTable(PUBLIC_SERVICES);

// Every route in turn, the first whose template matches: the table's answer before its prefix index.
function scanAll(httpMethod: string, path: string): RestRoute | undefined {
  return table.routes.find(
    (route) =>
      matchPathTemplate(route.template, path) &&
      (route.httpMethod === httpMethod || (httpMethod === "HEAD" && route.httpMethod === "GET")),
  );
}

// A concrete path for a template: variables and wildcards become sample values.
function samplePath(source: string): string {
  return source
    .replace(/\{[^}=]+=([^}]+)\}/g, (_, inner: string) => inner.replace(/\*\*?/g, "sample"))
    .replace(/\{[^}]+\}|\*\*?/g, "id_1");
}

describe("the REST route table", () => {
  it("answers every route's own paths, and near misses, exactly as a scan of every template", () => {
    const paths = table.routes.flatMap((route) => {
      const path = samplePath(route.template.source);
      return [path, `${path}/extra`, `${path}x`, path.replace(/\/[^/]*$/, ""), `${path}:verb`];
    });
    expect(paths.length).toBeGreaterThan(100);
    for (const path of paths) {
      for (const httpMethod of ["GET", "POST", "DELETE", "PATCH", "HEAD"]) {
        const matched = table.match(httpMethod, path);
        const route = matched && "route" in matched ? matched.route : undefined;
        expect(route, `${httpMethod} ${path}`).toBe(scanAll(httpMethod, path));
      }
    }
  });
});
