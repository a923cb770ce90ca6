import { getOption, hasOption, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http } from "@imagegen/proto/google/api/annotations_pb";
import type { HttpRule } from "@imagegen/proto/google/api/http_pb";
import { matchPathTemplate, parsePathTemplate, type PathTemplate } from "./path-template.ts";

/** One REST binding of an RPC, read from its google.api.http option. */
export interface RestRoute {
  readonly httpMethod: string;
  readonly template: PathTemplate;
  readonly method: DescMethod;
  /** "" = no body, "*" = the whole request, otherwise the request field the body fills. */
  readonly body: string;
  /** "" = the whole response, otherwise the response field that becomes the body. */
  readonly responseBody: string;
}

/** A matched route with its path variable bindings. */
export interface RouteMatch {
  readonly route: RestRoute;
  readonly pathParams: Map<string, string>;
}

/** The REST routing table of a set of services, built once at start from their descriptors. */
export interface RouteTable {
  readonly routes: readonly RestRoute[];
  /** The route for a request, or undefined; `methodNotAllowed` when only the verb differs. */
  match(httpMethod: string, path: string): RouteMatch | { methodNotAllowed: true; allow: string[] } | undefined;
}

export function createRouteTable(services: readonly DescService[]): RouteTable {
  const routes: RestRoute[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (!hasOption(method, http)) continue;
      const rule = getOption(method, http);
      for (const binding of [rule, ...rule.additionalBindings]) {
        const route = toRoute(method, binding);
        if (route) routes.push(route);
      }
    }
  }
  routes.sort((a, b) => b.template.specificity - a.template.specificity);
  // Each template's leading literal segments ("/api/v2/generate"): a path without them cannot
  // match, so most routes are passed over with one string comparison instead of a full match.
  const prefixes = routes.map((route) => literalPrefix(route.template));
  return {
    routes,
    match(httpMethod, path) {
      const allow: string[] = [];
      for (const [index, route] of routes.entries()) {
        if (!startsWithSegments(path, prefixes[index]!)) continue;
        const pathParams = matchPathTemplate(route.template, path);
        if (!pathParams) continue;
        if (route.httpMethod === httpMethod || (httpMethod === "HEAD" && route.httpMethod === "GET")) {
          return { route, pathParams };
        }
        allow.push(route.httpMethod);
      }
      return allow.length ? { methodNotAllowed: true, allow } : undefined;
    },
  };
}

function literalPrefix(template: PathTemplate): string {
  let prefix = "";
  for (const segment of template.segments) {
    if (segment.kind !== "literal") break;
    prefix += `/${segment.value}`;
  }
  return prefix;
}

// `path` begins with `prefix` as whole segments: what follows is nothing, "/" or a ":verb".
function startsWithSegments(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 0x2f || next === 0x3a;
}

function toRoute(method: DescMethod, rule: HttpRule): RestRoute | undefined {
  const pattern = rule.pattern;
  let httpMethod: string;
  let path: string;
  switch (pattern.case) {
    case "get":
    case "post":
    case "put":
    case "patch":
    case "delete":
      httpMethod = pattern.case.toUpperCase();
      path = pattern.value;
      break;
    case "custom":
      httpMethod = pattern.value.kind.toUpperCase();
      path = pattern.value.path;
      break;
    default:
      return undefined;
  }
  return { httpMethod, template: parsePathTemplate(path), method, body: rule.body, responseBody: rule.responseBody };
}
