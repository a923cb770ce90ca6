import {
  fromJson,
  toJson,
  type DescEnum,
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  type Registry,
  ScalarType,
} from "@bufbuild/protobuf";

/**
 * The REST surface's JSON convention, on top of canonical protobuf JSON:
 *  - field names are the proto (snake_case) names, as seed 004 shows them;
 *  - enum values are written as their lowercase short name ("completed" for
 *    GENERATION_STATUS_COMPLETED) and read in either form; UNSPECIFIED is omitted;
 *  - fields without presence are always written (so `"is_public": false` appears).
 * Connect JSON keeps the canonical protobuf JSON mapping untouched.
 */

/** Renders a response message as REST JSON. */
export function messageToRestJson<D extends DescMessage>(
  schema: D,
  message: MessageShape<D>,
  registry: Registry,
): JsonValue {
  const json = toJson(schema, message, { useProtoFieldName: true, alwaysEmitImplicit: true, registry });
  return shortenEnums(schema, json);
}

/** Parses REST JSON (already merged with path and query values) into a request message. */
export function restJsonToMessage<D extends DescMessage>(
  schema: D,
  json: JsonValue,
  registry: Registry,
): MessageShape<D> {
  return fromJson(schema, lengthenEnums(schema, json), { registry });
}

// Descriptors never change: each message's fields by name and JSON name, and each enum's prefix,
// are worked out once rather than on every request and response.
const fieldsByKey = new WeakMap<DescMessage, Map<string, DescField>>();
const prefixes = new WeakMap<DescEnum, string>();

function fieldOf(schema: DescMessage, key: string): DescField | undefined {
  let fields = fieldsByKey.get(schema);
  if (!fields) {
    fields = new Map();
    // A JSON name never shadows another field's proto name (the first found wins, as before).
    for (const field of schema.fields) {
      for (const name of [field.name, field.jsonName]) if (!fields.has(name)) fields.set(name, field);
    }
    fieldsByKey.set(schema, fields);
  }
  return fields.get(key);
}

// buf lint's ENUM_VALUE_PREFIX guarantees every value starts with the enum's name in
// SCREAMING_SNAKE_CASE: GenerationStatus → "GENERATION_STATUS_".
function enumPrefix(desc: DescEnum): string {
  let prefix = prefixes.get(desc);
  if (prefix === undefined) {
    prefix = `${desc.name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}_`;
    prefixes.set(desc, prefix);
  }
  return prefix;
}

function shortName(desc: DescEnum, full: string): string {
  const prefix = enumPrefix(desc);
  return (full.startsWith(prefix) ? full.slice(prefix.length) : full).toLowerCase();
}

function shortenEnums(schema: DescMessage, json: JsonValue): JsonValue {
  if (!isObject(json) || isWellKnown(schema)) return json;
  for (const [key, value] of Object.entries(json)) {
    const field = fieldOf(schema, key);
    if (!field) continue;
    if (field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")) {
      const desc = field.enum as DescEnum;
      const unspecified = desc.values[0]?.name;
      if (typeof value === "string") {
        if (value === unspecified) delete json[key];
        else json[key] = shortName(desc, value);
      } else if (Array.isArray(value)) {
        json[key] = value.map((v) => (typeof v === "string" ? shortName(desc, v) : v));
      }
    } else if (field.fieldKind === "message") {
      json[key] = shortenEnums(field.message, value);
    } else if (field.fieldKind === "list" && field.listKind === "message" && Array.isArray(value)) {
      json[key] = value.map((v) => shortenEnums(field.message, v));
    } else if (field.fieldKind === "map" && field.mapKind === "message" && isObject(value)) {
      for (const [k, v] of Object.entries(value)) value[k] = shortenEnums(field.message, v);
    }
  }
  return json;
}

function lengthenEnums(schema: DescMessage, json: JsonValue): JsonValue {
  if (!isObject(json) || isWellKnown(schema)) return json;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldOf(schema, key);
    if (!field) {
      out[key] = value; // fromJson names the unknown field in its error
      continue;
    }
    if (field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")) {
      const desc = field.enum as DescEnum;
      out[key] = Array.isArray(value) ? value.map((v) => lengthen(desc, v)) : lengthen(desc, value);
    } else if (field.fieldKind === "message") {
      out[key] = lengthenEnums(field.message, value);
    } else if (field.fieldKind === "list" && field.listKind === "message" && Array.isArray(value)) {
      out[key] = value.map((v) => lengthenEnums(field.message, v));
    } else {
      out[key] = value;
    }
  }
  return out;
}

function lengthen(desc: DescEnum, value: JsonValue): JsonValue {
  if (typeof value !== "string") return value;
  const wanted = value.toLowerCase();
  const match = desc.values.find((v) => shortName(desc, v.name) === wanted);
  return match ? match.name : value;
}

// Well-known types (Struct, Timestamp, ...) have their own JSON forms: never walk into them.
function isWellKnown(schema: DescMessage): boolean {
  return schema.typeName.startsWith("google.protobuf.");
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Sets a path or query parameter into the request JSON at a dotted field path, converting the
 * string to the JSON type the field expects. Returns an error text for an unknown field or a
 * value of the wrong type.
 */
export function setParam(schema: DescMessage, json: JsonObject, fieldPath: string, raw: string): string | undefined {
  const names = fieldPath.split(".");
  let desc = schema;
  let target = json;
  for (let i = 0; i < names.length; i++) {
    const field = fieldOf(desc, names[i] as string);
    if (!field) return `unknown parameter "${fieldPath}"`;
    const key = field.name;
    if (i < names.length - 1) {
      if (field.fieldKind !== "message") return `parameter "${fieldPath}" does not name a scalar field`;
      const next = target[key];
      target = isObject(next) ? next : (target[key] = {});
      desc = field.message;
      continue;
    }
    if (field.fieldKind === "list" && field.listKind !== "message") {
      const list = Array.isArray(target[key]) ? (target[key] as JsonValue[]) : (target[key] = []);
      const value = scalarParam(field.scalar, raw);
      if (value === undefined) return `parameter "${fieldPath}" must be ${describe(field.scalar)}`;
      list.push(value);
      return undefined;
    }
    if (field.fieldKind === "enum") {
      target[key] = raw;
      return undefined;
    }
    if (field.fieldKind !== "scalar") return `parameter "${fieldPath}" does not name a scalar field`;
    const value = scalarParam(field.scalar, raw);
    if (value === undefined) return `parameter "${fieldPath}" must be ${describe(field.scalar)}`;
    target[key] = value;
  }
  return undefined;
}

function scalarParam(type: ScalarType | undefined, raw: string): JsonValue | undefined {
  switch (type) {
    case undefined:
      return raw; // enum
    case ScalarType.STRING:
    case ScalarType.BYTES:
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return raw; // int64 travels as a string in protobuf JSON
    case ScalarType.BOOL:
      return raw === "true" ? true : raw === "false" ? false : undefined;
    default: {
      const n = Number(raw);
      return raw.trim() !== "" && Number.isFinite(n) ? n : undefined;
    }
  }
}

function describe(type: ScalarType | undefined): string {
  return type === ScalarType.BOOL ? "true or false" : "a number";
}
