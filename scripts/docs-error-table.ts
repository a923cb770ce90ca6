// Rewrites the error table of docs/errors.md from the generated OpenAPI document's
// x-error-table (itself read from proto/imagegen/v1/errors.proto). Run after changing the table:
//   npm run generate && npm run docs:errors
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorTableOf } from "../gateway/src/docs/errors-page.ts";
import { errorTableMarkdown, withErrorTable } from "../gateway/src/docs/error-table-markdown.ts";
import { loadOpenApiDocument } from "../gateway/src/docs/openapi-document.ts";

const file = join(import.meta.dirname, "..", "docs", "errors.md");
const next = withErrorTable(readFileSync(file, "utf8"), errorTableMarkdown(errorTableOf(loadOpenApiDocument())));
writeFileSync(file, next);
console.log("docs-error-table: docs/errors.md is up to date");
