import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GUIDES_DIR } from "./docs-handler.ts";
import { errorTableMarkdown, withErrorTable } from "./error-table-markdown.ts";
import { errorTableOf } from "./errors-page.ts";
import { loadOpenApiDocument } from "./openapi-document.ts";

const doc = loadOpenApiDocument();
const guides = readdirSync(GUIDES_DIR).filter((n) => n.endsWith(".md"));
const read = (name: string) => readFileSync(join(GUIDES_DIR, name), "utf8");

describe("the guides in docs/", () => {
  it("cover quick start, authentication, surfaces, compat profiles, errors, limits, webhooks, models and use cases", () => {
    expect(guides.sort()).toEqual(
      expect.arrayContaining([
        "quick-start.md",
        "authentication.md",
        "surfaces.md",
        "compat-profiles.md",
        "errors.md",
        "rate-limits-and-quotas.md",
        "async-and-webhooks.md",
        "models-and-providers.md",
        "use-cases.md",
      ]),
    );
    for (const name of guides) expect(read(name), name).toMatch(/^# \S/);
  });

  it("list every error code of errors.proto, as `npm run docs:errors` writes it", () => {
    const text = read("errors.md");
    expect(text).toBe(withErrorTable(text, errorTableMarkdown(errorTableOf(doc))));
    for (const row of errorTableOf(doc)) expect(text).toContain(`| \`${row.code}\` | ${row.http_status} |`);
  });

  it("name only REST paths that the OpenAPI document has", () => {
    const known = Object.keys(doc.paths).map(
      (p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+").replace(/[:.]/g, "\\$&")}$`),
    );
    for (const name of guides) {
      for (const [, path] of read(name).matchAll(/\b(?:GET|POST|PATCH|DELETE|PUT) (\/api\/v2\/[\w/{}:.-]+)/g)) {
        expect(
          known.some((re) => re.test(path as string)),
          `${name}: ${path}`,
        ).toBe(true);
      }
    }
  });
});
