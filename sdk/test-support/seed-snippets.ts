import { readFileSync } from "node:fs";
import { join } from "node:path";

const DOCS = join(import.meta.dirname, "..", "..", "docs", "sdks.md");

/**
 * Seed 004's snippet for one language (`javascript`, `python`, `go`, `jsx`) exactly as
 * docs/sdks.md shows it, under "Seed 004's snippets": the tests run what the docs say.
 */
export function seedSnippet(language: "javascript" | "python" | "go" | "jsx"): string {
  const docs = readFileSync(DOCS, "utf8");
  const section = docs.slice(docs.indexOf("## Seed 004's snippets"));
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section);
  if (!match?.[1]) throw new Error(`docs/sdks.md has no ${language} snippet under "Seed 004's snippets"`);
  return match[1];
}

/** `text` with `from` replaced once; fails when the snippet no longer contains it. */
export function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`snippet does not contain ${from}`);
  return text.replace(from, to);
}

/** Whether `bytes` start with the PNG signature. */
export const isPng = (bytes: Uint8Array): boolean =>
  Buffer.from(bytes.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
