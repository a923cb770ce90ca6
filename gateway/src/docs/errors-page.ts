import type { OpenApiDocument } from "./openapi-document.ts";

/** One row of the `x-error-table` the OpenAPI generator copies from errors.proto. */
export interface ErrorTableEntry {
  readonly code: string;
  readonly http_status: number;
  readonly grpc_code: string;
  readonly type: string;
  readonly description: string;
}

/** The error table carried by the served OpenAPI document. */
export function errorTableOf(doc: OpenApiDocument): ErrorTableEntry[] {
  const rows = doc["x-error-table"];
  if (!Array.isArray(rows)) throw new Error("the OpenAPI document has no x-error-table");
  return rows as ErrorTableEntry[];
}

/**
 * /docs/errors: every code with its HTTP status, gRPC code and envelope type. Each row's id is
 * the code, so the envelope's documentation_url (/docs/errors#RATE_LIMITED) lands on it.
 */
export function errorsPageHtml(rows: readonly ErrorTableEntry[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr id="${escapeHtml(r.code)}"><td><code>${escapeHtml(r.code)}</code></td><td>${r.http_status}</td><td><code>${escapeHtml(r.grpc_code)}</code></td><td><code>${escapeHtml(r.type)}</code></td><td>${escapeHtml(r.description)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>imagegen errors</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; }
  table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }
  tr:target { background: #fef3c7; }
</style></head>
<body>
<p><a href="/docs">API reference</a> · <a href="/docs/guides">Guides</a></p>
<h1>Errors</h1>
<p>Every surface reads one table (<code>proto/imagegen/v1/errors.proto</code>). REST answers
<code>{"error":{"type","code","message","details","request_id","documentation_url"}}</code> with the HTTP status below;
gRPC and Connect answer the gRPC code with a <code>google.rpc.ErrorInfo</code> whose <code>reason</code> is the code
(domain <code>imagegen.app</code>), plus <code>BadRequest</code> field violations and <code>RetryInfo</code> where they apply.
See the <a href="/docs/guides/errors">errors guide</a> for how to handle each.</p>
<table>
<thead><tr><th>code</th><th>HTTP</th><th>gRPC / Connect</th><th>type</th><th>meaning</th></tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
}
