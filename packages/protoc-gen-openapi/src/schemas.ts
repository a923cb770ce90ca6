import { ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { getComments } from "@bufbuild/protoplugin";
import { fieldRules, isRequired, ruleKeywords, type JsonSchema } from "./constraints.ts";

/** Where a message or enum schema lives in the document. */
export function schemaRef(desc: DescMessage | DescEnum): JsonSchema {
  return { $ref: `#/components/schemas/${desc.typeName}` };
}

/** The description a declaration's leading comment gives, without comment markers. */
export function commentOf(
  desc: DescMessage | DescEnum | DescField | Parameters<typeof getComments>[0],
): string | undefined {
  const text = getComments(desc).leading?.trim();
  return text ? text.replace(/\n /g, "\n") : undefined;
}

/**
 * The REST JSON short name of an enum value, as gateway/src/rest/rest-json.ts writes it:
 * the value name without the enum's SCREAMING_SNAKE prefix, lowercased.
 */
export function enumShortName(desc: DescEnum, valueName: string): string {
  const prefix = `${desc.name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}_`;
  return (valueName.startsWith(prefix) ? valueName.slice(prefix.length) : valueName).toLowerCase();
}

// google.protobuf types have their own JSON forms (https://protobuf.dev/programming-guides/json/).
const WELL_KNOWN: Record<string, JsonSchema> = {
  "google.protobuf.Timestamp": { type: "string", format: "date-time", examples: ["2024-01-01T00:00:00Z"] },
  "google.protobuf.Duration": { type: "string", pattern: "^-?\\d+(\\.\\d+)?s$", examples: ["1.5s"] },
  "google.protobuf.Struct": { type: "object", additionalProperties: true },
  "google.protobuf.Value": {},
  "google.protobuf.ListValue": { type: "array", items: {} },
  "google.protobuf.Empty": { type: "object" },
  "google.protobuf.FieldMask": { type: "string", description: "Comma-separated field paths." },
  "google.protobuf.Any": { type: "object", properties: { "@type": { type: "string" } }, additionalProperties: true },
  "google.protobuf.BoolValue": { type: "boolean" },
  "google.protobuf.StringValue": { type: "string" },
  "google.protobuf.BytesValue": { type: "string", contentEncoding: "base64" },
  "google.protobuf.DoubleValue": { type: "number" },
  "google.protobuf.FloatValue": { type: "number" },
  "google.protobuf.Int32Value": { type: "integer", format: "int32" },
  "google.protobuf.UInt32Value": { type: "integer", format: "int64", minimum: 0, maximum: 4294967295 },
  "google.protobuf.Int64Value": { type: "string", format: "int64" },
  "google.protobuf.UInt64Value": { type: "string", format: "uint64" },
};

/** The JSON Schema of one scalar type in protobuf JSON (64-bit integers are strings). */
export function scalarSchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BYTES:
      return { type: "string", contentEncoding: "base64" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.DOUBLE:
      return { type: "number", format: "double" };
    case ScalarType.FLOAT:
      return { type: "number", format: "float" };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "int64", minimum: 0, maximum: 4294967295 };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "string", format: "uint64" };
    default:
      return { type: "string", format: "int64" };
  }
}

/**
 * Collects the component schemas of messages and enums reachable from the roots, in the REST
 * JSON convention: proto (snake_case) field names, enums as short lowercase names,
 * well-known types inlined in their JSON form.
 */
export class SchemaCollector {
  /** Component schemas by full type name, in the order they were first reached. */
  readonly schemas = new Map<string, JsonSchema>();

  /** The schema of a message (a $ref, or the inline JSON form of a well-known type). */
  message(desc: DescMessage): JsonSchema {
    const wellKnown = WELL_KNOWN[desc.typeName];
    if (wellKnown) return structuredClone(wellKnown);
    if (!this.schemas.has(desc.typeName)) {
      this.schemas.set(desc.typeName, {}); // placeholder first: messages may be recursive
      this.schemas.set(desc.typeName, this.messageBody(desc, new Set()));
    }
    return schemaRef(desc);
  }

  /** The object schema of a message's fields, leaving out `omit` (fields bound from the path). */
  messageBody(desc: DescMessage, omit: ReadonlySet<string>): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of desc.fields) {
      if (omit.has(field.name)) continue;
      properties[field.name] = this.field(field);
      if (isRequired(fieldRules(field))) required.push(field.name);
    }
    const schema: JsonSchema = { type: "object" };
    const description = commentOf(desc);
    if (description) schema.description = description;
    schema.properties = properties;
    if (required.length) schema.required = required;
    return schema;
  }

  /** The schema of an enum: its short lowercase names, UNSPECIFIED left out (it is never written). */
  enum(desc: DescEnum): JsonSchema {
    if (!this.schemas.has(desc.typeName)) {
      const values = desc.values.filter((v) => v.number !== 0);
      const schema: JsonSchema = { type: "string", enum: values.map((v) => enumShortName(desc, v.name)) };
      const description = commentOf(desc);
      const valueNotes = values.map((v) => [enumShortName(desc, v.name), commentOf(v)] as const).filter(([, c]) => c);
      const notes = valueNotes.map(([name, c]) => `- \`${name}\`: ${(c as string).replace(/\n/g, " ")}`).join("\n");
      if (description || notes) schema.description = [description, notes].filter(Boolean).join("\n\n");
      this.schemas.set(desc.typeName, schema);
    }
    return schemaRef(desc);
  }

  /** The schema of one field: its type, its comment and its protovalidate limits. */
  field(field: DescField): JsonSchema {
    const { keywords, items } = ruleKeywords(fieldRules(field));
    let schema: JsonSchema;
    switch (field.fieldKind) {
      case "scalar":
        schema = { ...scalarSchema(field.scalar), ...keywords };
        break;
      case "enum":
        schema = this.enum(field.enum);
        break;
      case "message":
        schema = this.message(field.message);
        break;
      case "list": {
        const item =
          field.listKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.listKind === "enum"
              ? this.enum(field.enum)
              : this.message(field.message);
        schema = { type: "array", items: withKeywords(item, items), ...keywords };
        break;
      }
      case "map": {
        const value =
          field.mapKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.mapKind === "enum"
              ? this.enum(field.enum)
              : this.message(field.message);
        schema = { type: "object", additionalProperties: value, ...keywords };
        break;
      }
    }
    if (field.fieldKind === "enum" || field.fieldKind === "message") schema = withKeywords(schema, keywords);
    const description = commentOf(field);
    return description ? withKeywords(schema, { description }) : schema;
  }
}

// A $ref with siblings is valid in OpenAPI 3.1 (JSON Schema 2020-12) and keeps the reference.
function withKeywords(schema: JsonSchema, keywords: JsonSchema): JsonSchema {
  return Object.keys(keywords).length ? { ...schema, ...keywords } : schema;
}
