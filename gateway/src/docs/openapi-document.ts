import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** An OpenAPI document or fragment, as parsed JSON. */
// biome-ignore lint/suspicious/noExplicitAny: the document is walked and patched at any depth; its schema is OpenAPI's, checked by redocly and swagger-parser in tests.
export type OpenApiDocument = Record<string, any>;

/** The document packages/protoc-gen-openapi generates from proto/ (buf.gen.yaml; committed). */
export const GENERATED_DOCUMENT = fileURLToPath(
  new URL("../../../packages/proto/openapi/openapi.json", import.meta.url),
);

/**
 * Hand-written fragments merged into the served document: paths that are not in proto/ (the
 * compat profiles' seed paths, the OpenAI Images paths, health). Each `*.json` file holds
 * `{ "paths": {...}, "components": { "schemas": {...}, ... }, "tags": [...] }`; a fragment may
 * $ref the generated components (e.g. "#/components/responses/Error400").
 */
export const FRAGMENTS_DIR = fileURLToPath(new URL("../../../docs/openapi", import.meta.url));

/**
 * The served OpenAPI document: the generated one plus every fragment, merged at load (so a
 * compat profile documents its paths by adding a file, with no generator change). A fragment
 * may not redefine a generated path or component: that throws at start, never silently wins.
 */
export function loadOpenApiDocument(generated = GENERATED_DOCUMENT, fragmentsDir = FRAGMENTS_DIR): OpenApiDocument {
  const doc = JSON.parse(readFileSync(generated, "utf8")) as OpenApiDocument;
  for (const name of listFragments(fragmentsDir)) {
    const fragment = JSON.parse(readFileSync(join(fragmentsDir, name), "utf8")) as OpenApiDocument;
    mergeInto(doc, fragment, name);
  }
  return doc;
}

function listFragments(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .sort();
  } catch {
    return [];
  }
}

function mergeInto(doc: OpenApiDocument, fragment: OpenApiDocument, source: string): void {
  for (const [path, item] of Object.entries(fragment.paths ?? {})) {
    if (doc.paths[path]) throw new Error(`OpenAPI fragment ${source}: path ${path} is already documented`);
    doc.paths[path] = item;
  }
  for (const [section, entries] of Object.entries(fragment.components ?? {})) {
    const target = (doc.components[section] ??= {});
    for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
      if (target[name]) throw new Error(`OpenAPI fragment ${source}: components.${section}.${name} is already defined`);
      target[name] = value;
    }
  }
  for (const tag of fragment.tags ?? []) doc.tags.push(tag);
}
