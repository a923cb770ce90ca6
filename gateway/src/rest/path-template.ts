/**
 * google.api.http path templates (https://google.aip.dev/127):
 *   Template = "/" Segments [ Verb ] ;  Segment = "*" | "**" | LITERAL | "{" FieldPath [ "=" Segments ] "}"
 * A variable binds one segment by default ("{id}"), or what its own segments match
 * ("{name=collections/*}"); "**" matches the rest of the path.
 */
export interface PathTemplate {
  readonly source: string;
  readonly segments: readonly Segment[];
  readonly verb?: string;
  /** Orders routes: more literal segments first, so "/models/{id}" never shadows "/models/popular". */
  readonly specificity: number;
}

type Segment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "wildcard" } // "*"
  | { readonly kind: "rest" } // "**"
  | { readonly kind: "variable"; readonly fieldPath: string; readonly segments: readonly Segment[] };

/** Parses a template; throws on malformed input (templates come from our own proto files). */
export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith("/")) throw new Error(`path template must start with "/": ${source}`);
  let path = source.slice(1);
  let verb: string | undefined;
  const lastSlash = path.lastIndexOf("/");
  const lastBrace = path.lastIndexOf("}");
  const colon = path.indexOf(":", Math.max(lastSlash, lastBrace));
  if (colon >= 0) {
    verb = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  const segments = parseSegments(splitTopLevel(path), source);
  const specificity = segments.reduce((n, s) => n + (s.kind === "literal" ? 2 : s.kind === "variable" ? 1 : 0), 0);
  return { source, segments, verb, specificity };
}

// Splits on "/" outside braces: "a/{name=x/*}/b" → ["a", "{name=x/*}", "b"].
function splitTopLevel(path: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of path) {
    if (ch === "{") depth++;
    if (ch === "}") depth--;
    if (ch === "/" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function parseSegments(parts: string[], source: string): Segment[] {
  return parts.map((part): Segment => {
    if (part === "*") return { kind: "wildcard" };
    if (part === "**") return { kind: "rest" };
    if (part.startsWith("{") && part.endsWith("}")) {
      const [fieldPath, inner] = part.slice(1, -1).split("=", 2) as [string, string | undefined];
      const segments = inner === undefined ? [{ kind: "wildcard" } as const] : parseSegments(inner.split("/"), source);
      return { kind: "variable", fieldPath, segments };
    }
    if (part === "" || /[{}*]/.test(part)) throw new Error(`bad segment "${part}" in path template ${source}`);
    return { kind: "literal", value: part };
  });
}

/**
 * Matches a request path (without query) against a template; returns the variable bindings
 * (percent-decoded) or undefined when it does not match.
 */
export function matchPathTemplate(template: PathTemplate, requestPath: string): Map<string, string> | undefined {
  let path = requestPath.startsWith("/") ? requestPath.slice(1) : requestPath;
  if (template.verb !== undefined) {
    const suffix = `:${template.verb}`;
    if (!path.endsWith(suffix)) return undefined;
    path = path.slice(0, -suffix.length);
  } else if (lastSegment(path).includes(":")) {
    // A verb was given but this template has none: only match if ":" is percent-encoded data.
    return undefined;
  }
  const parts = path.split("/");
  const bindings = new Map<string, string>();
  const consumed = matchSegments(template.segments, parts, 0, bindings);
  return consumed === parts.length ? bindings : undefined;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

// Returns the index after the last consumed part, or -1 when the segments do not match.
function matchSegments(
  segments: readonly Segment[],
  parts: string[],
  start: number,
  bindings: Map<string, string>,
): number {
  let i = start;
  for (const segment of segments) {
    switch (segment.kind) {
      case "literal":
        if (parts[i] !== segment.value) return -1;
        i++;
        break;
      case "wildcard":
        if (parts[i] === undefined || parts[i] === "") return -1;
        i++;
        break;
      case "rest":
        i = parts.length;
        break;
      case "variable": {
        const end = matchSegments(segment.segments, parts, i, bindings);
        if (end < 0) return -1;
        const raw = parts.slice(i, end).join("/");
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch {
          return -1;
        }
        bindings.set(segment.fieldPath, value);
        i = end;
        break;
      }
    }
  }
  return i;
}
