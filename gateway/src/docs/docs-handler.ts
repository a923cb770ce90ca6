import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { errorsPageHtml, errorTableOf } from "./errors-page.ts";
import { loadOpenApiDocument, type OpenApiDocument } from "./openapi-document.ts";
import { referencePageHtml, SCALAR_BUNDLE } from "./reference-page.ts";
import { sendBody } from "./static-file.ts";

/** The written guides (docs/*.md), served as Markdown under /docs/guides/<name>. */
export const GUIDES_DIR = fileURLToPath(new URL("../../../docs", import.meta.url));

/**
 * GET /openapi.json, /docs (API reference), /docs/errors, /docs/guides[/<name>] and the
 * reference page's script. Everything is read from the repository and node_modules: the
 * pages make no request outside this gateway. Returns false for any other path.
 */
export function createDocsHandler(
  options: { document?: OpenApiDocument; guidesDir?: string; publicUrl?: string } = {},
) {
  const document = withServer(options.document ?? loadOpenApiDocument(), options.publicUrl ?? publicUrlFromEnv());
  const documentJson = JSON.stringify(document);
  const guidesDir = options.guidesDir ?? GUIDES_DIR;
  let scalar: Promise<Buffer> | undefined;

  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = url.pathname.replace(/\/$/, "") || "/";
    if (path === "/openapi.json") {
      sendBody(req, res, "application/json", documentJson);
      return true;
    }
    if (path === "/docs") {
      sendBody(req, res, "text/html; charset=utf-8", referencePageHtml());
      return true;
    }
    if (path === "/docs/assets/scalar-standalone.js") {
      scalar ??= readFile(SCALAR_BUNDLE);
      sendBody(req, res, "text/javascript; charset=utf-8", await scalar, "public, max-age=3600");
      return true;
    }
    if (path === "/docs/errors") {
      sendBody(req, res, "text/html; charset=utf-8", errorsPageHtml(errorTableOf(document)));
      return true;
    }
    if (path === "/docs/guides") {
      sendBody(req, res, "text/html; charset=utf-8", guidesIndexHtml(guidesDir));
      return true;
    }
    const guide = /^\/docs\/guides\/([a-z0-9-]+)(\.md)?$/.exec(path);
    if (guide) {
      const text = await readFile(join(guidesDir, `${guide[1]}.md`), "utf8").catch(() => undefined);
      if (text === undefined) return false;
      sendBody(req, res, "text/markdown; charset=utf-8", text);
      return true;
    }
    return false;
  };
}

/**
 * The base URL clients reach this gateway at, as the front uses it for image URLs:
 * IMAGEGEN_PUBLIC_URL, else http://localhost:$IMAGEGEN_PORT.
 */
function publicUrlFromEnv(): string {
  return process.env.IMAGEGEN_PUBLIC_URL ?? `http://localhost:${process.env.IMAGEGEN_PORT ?? 8080}`;
}

/** The document with `servers` naming this deployment, so generated clients and "try it" call it. */
export function withServer(document: OpenApiDocument, publicUrl: string): OpenApiDocument {
  return {
    ...document,
    servers: [{ url: publicUrl.replace(/\/+$/, ""), description: "this gateway (IMAGEGEN_PUBLIC_URL)" }],
  };
}

// Each guide's first "# " line is its title.
function guidesIndexHtml(dir: string): string {
  const items = readdirSync(dir)
    .filter((n) => n.endsWith(".md"))
    .sort()
    .map((n) => {
      const title = /^# (.+)$/m.exec(readFileSync(join(dir, n), "utf8"))?.[1] ?? n;
      return `<li><a href="/docs/guides/${n.slice(0, -3)}">${title.replace(/</g, "&lt;")}</a></li>`;
    })
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>imagegen guides</title>
<style>body { font-family: system-ui, sans-serif; margin: 2rem; }</style></head>
<body><p><a href="/docs">API reference</a> · <a href="/docs/errors">Errors</a> · <a href="/playground">Playground</a></p>
<h1>Guides</h1><p>Markdown sources, also in <code>docs/</code> of the repository.</p><ul>
${items}
</ul></body></html>
`;
}
