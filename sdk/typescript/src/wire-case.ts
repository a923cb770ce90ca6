import { FIELDS } from "./generated/contract.js";

// Requests and results are camelCase in this SDK and snake_case on the wire. The generated field
// table says, per schema, each field's two names and what is inside it, so free-form maps the
// caller owns (`metadata`) travel untouched. Fields the table does not know (a newer server) are
// renamed by rule and their contents converted the same way.

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The camelCase `value` of schema `schema` as the API's snake_case JSON. */
export function toWire(value: unknown, schema: string | undefined): unknown {
  return convert(value, schema, "toWire");
}

/** The API's snake_case JSON `value` of schema `schema` as camelCase. */
export function fromWire(value: unknown, schema: string | undefined): unknown {
  return convert(value, schema, "fromWire");
}

function convert(value: unknown, schema: string | undefined, direction: "toWire" | "fromWire"): unknown {
  if (schema === "*") return value;
  if (Array.isArray(value)) return value.map((item) => convert(item, schema, direction));
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  const fields = schema ? FIELDS[schema] : undefined;
  const byName = new Map<string, readonly [string, string | undefined]>();
  for (const [wire, [name, nested]] of Object.entries(fields ?? {}))
    byName.set(direction === "toWire" ? name : wire, [direction === "toWire" ? wire : name, nested]);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    const known = byName.get(key);
    const renamed = known?.[0] ?? (direction === "toWire" ? snake(key) : camel(key));
    out[renamed] = convert(inner, known ? known[1] : undefined, direction);
  }
  return out;
}
