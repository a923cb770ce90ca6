import { getOption, hasOption, isFieldSet, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import {
  field as validateField,
  file_buf_validate_validate,
  Ignore,
  type FieldRules,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";

/** A JSON Schema object (OpenAPI 3.1 schemas are JSON Schema 2020-12). */
export type JsonSchema = { [keyword: string]: unknown };

const ruleMessages = new Map<string, DescMessage>(file_buf_validate_validate.messages.map((m) => [m.typeName, m]));

// The rule messages are proto2: an unset `optional` field reads as its zero value, so
// presence must be asked for, or every rule would look like "max_len: 0".
function isSet(rules: Message, localName: string): boolean {
  const field = ruleMessages.get(rules.$typeName)?.fields.find((f) => f.localName === localName);
  return field !== undefined && isFieldSet(rules as never, field);
}

/** The protovalidate rules of a field, or undefined when it has none. */
export function fieldRules(field: DescField): FieldRules | undefined {
  return hasOption(field, validateField) ? getOption(field, validateField) : undefined;
}

/**
 * True when validation refuses a request that omits the field: `required`, a string with a
 * minimum length, or a list with a minimum size (proto3 cannot tell "absent" from "empty").
 * Rules that skip an empty value (`ignore: IGNORE_IF_ZERO_VALUE`) leave the field optional.
 */
export function isRequired(rules: FieldRules | undefined): boolean {
  if (!rules) return false;
  if (rules.required) return true;
  if (rules.ignore === Ignore.IF_ZERO_VALUE || rules.ignore === Ignore.ALWAYS) return false;
  const t = rules.type;
  if (t.case === "string") return isSet(t.value, "minLen") && t.value.minLen > 0n;
  if (t.case === "repeated") return isSet(t.value, "minItems") && t.value.minItems > 0n;
  return false;
}

/**
 * The protovalidate rules that JSON Schema can say, as keywords to merge into the field's
 * schema; rules on list items go to `items`. CEL rules are kept out, except the
 * "this % N == 0" form, which is `multipleOf`.
 */
export function ruleKeywords(rules: FieldRules | undefined): { keywords: JsonSchema; items: JsonSchema } {
  const keywords: JsonSchema = {};
  const items: JsonSchema = {};
  if (!rules) return { keywords, items };
  for (const cel of rules.cel) {
    const multiple = /^this\s*%\s*(\d+)u?\s*==\s*0u?$/.exec(cel.expression.trim());
    if (multiple) keywords.multipleOf = Number(multiple[1]);
  }
  const t = rules.type;
  switch (t.case) {
    case "string": {
      const r = t.value;
      if (isSet(r, "minLen") && r.minLen > 0n) keywords.minLength = Number(r.minLen);
      if (isSet(r, "maxLen")) keywords.maxLength = Number(r.maxLen);
      if (isSet(r, "len")) keywords.minLength = keywords.maxLength = Number(r.len);
      if (isSet(r, "pattern")) keywords.pattern = r.pattern;
      if (r.in.length) keywords.enum = [...r.in];
      if (isSet(r, "const")) keywords.const = r.const;
      if (r.wellKnown.case === "uri" && r.wellKnown.value) keywords.format = "uri";
      if (r.wellKnown.case === "email" && r.wellKnown.value) keywords.format = "email";
      if (r.wellKnown.case === "uuid" && r.wellKnown.value) keywords.format = "uuid";
      break;
    }
    case "repeated": {
      const r = t.value;
      if (isSet(r, "minItems") && r.minItems > 0n) keywords.minItems = Number(r.minItems);
      if (isSet(r, "maxItems")) keywords.maxItems = Number(r.maxItems);
      if (r.unique) keywords.uniqueItems = true;
      if (r.items) Object.assign(items, ruleKeywords(r.items).keywords);
      break;
    }
    case "int32":
    case "uint32":
    case "sint32":
    case "fixed32":
    case "sfixed32":
    case "double":
    case "float":
      Object.assign(keywords, numberKeywords(t.value));
      break;
    default:
      break; // 64-bit integers travel as strings in JSON; bool, bytes and enums have nothing JSON Schema can add
  }
  return { keywords, items };
}

// The numeric rule messages share one shape: const, in, lt|lte, gt|gte.
interface NumberRules extends Message {
  const: number;
  in: number[];
  lessThan: { case: "lt" | "lte"; value: number } | { case: undefined; value?: undefined };
  greaterThan: { case: "gt" | "gte"; value: number } | { case: undefined; value?: undefined };
}

function numberKeywords(r: NumberRules): JsonSchema {
  const out: JsonSchema = {};
  if (r.greaterThan.case === "gte") out.minimum = r.greaterThan.value;
  if (r.greaterThan.case === "gt") out.exclusiveMinimum = r.greaterThan.value;
  if (r.lessThan.case === "lte") out.maximum = r.lessThan.value;
  if (r.lessThan.case === "lt") out.exclusiveMaximum = r.lessThan.value;
  if (r.in.length) out.enum = [...r.in];
  if (isSet(r, "const")) out.const = r.const;
  return out;
}
