import type { ErrorTableEntry } from "./errors-page.ts";

/** The markers around the generated table in docs/errors.md. */
export const TABLE_BEGIN = "<!-- error-table:begin (generated from errors.proto: npm run docs:errors) -->";
export const TABLE_END = "<!-- error-table:end -->";

/** The Markdown table of every error code, in errors.proto's order. */
export function errorTableMarkdown(rows: readonly ErrorTableEntry[]): string {
  const lines = [
    "| code | HTTP | gRPC / Connect code | `error.type` | meaning |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| \`${r.code}\` | ${r.http_status} | \`${r.grpc_code}\` | \`${r.type}\` | ${r.description.replace(/\n/g, " ").replace(/\|/g, "\\|")} |`,
    ),
  ];
  return lines.join("\n");
}

/** `text` with the section between the markers replaced by `table`; throws without markers. */
export function withErrorTable(text: string, table: string): string {
  const begin = text.indexOf(TABLE_BEGIN);
  const end = text.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error("docs/errors.md lacks the error-table markers");
  return `${text.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${text.slice(end)}`;
}
