/** What a file name template can use. */
export interface NamingInput {
  readonly imageId: string;
  readonly generationId: string;
  readonly model: string;
  readonly prompt: string;
  readonly index: number;
  /** "png" | "jpg" | "webp" */
  readonly format: string;
  /** When the image was finished (ms, UTC). */
  readonly at: number;
}

export const PLACEHOLDERS = ["date", "time", "prompt_snippet", "id", "generation_id", "model", "index"] as const;
export const DEFAULT_FILE_NAMING = "{date}_{prompt_snippet}_{id}";
const SNIPPET_MAX = 40;
// Longest name before the extension: under every service's limit (Dropbox 255, Drive more).
const NAME_MAX = 200;

/** The placeholders of `template` that are not known, for a clear INVALID_REQUEST. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1]!)
    .filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
}

/**
 * The prompt's first words, lower case, every run of other characters as one "-", at most 40
 * characters (cut at a word boundary when there is one).
 */
export function promptSnippet(prompt: string): string {
  // Accents dropped first ("é" → "e"), so a French prompt keeps its words.
  const slug = prompt
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= SNIPPET_MAX) return slug;
  const cut = slug.slice(0, SNIPPET_MAX + 1);
  const boundary = cut.lastIndexOf("-");
  return (boundary > 0 ? cut.slice(0, boundary) : slug.slice(0, SNIPPET_MAX)).replace(/-+$/, "");
}

/**
 * `template` with its placeholders filled and the format's extension appended. The result is one
 * path segment: slashes and control characters become "-", so a prompt never picks the folder.
 */
export function expandFileName(template: string, input: NamingInput): string {
  const at = new Date(input.at).toISOString();
  const values: Record<string, string> = {
    date: at.slice(0, 10),
    time: at.slice(11, 19).replace(/:/g, ""),
    prompt_snippet: promptSnippet(input.prompt) || "image",
    id: input.imageId,
    generation_id: input.generationId,
    model: input.model,
    index: String(input.index),
  };
  const name = (template || DEFAULT_FILE_NAMING).replace(/\{([^{}]*)\}/g, (whole, key: string) => values[key] ?? whole);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a file name must not carry.
  const UNSAFE_IN_NAMES = /[\\/\u0000-\u001f\u007f]+/g;
  const safe = name.replace(UNSAFE_IN_NAMES, "-").trim().slice(0, NAME_MAX) || input.imageId;
  return `${safe}.${input.format === "jpeg" ? "jpg" : input.format}`;
}

/** The MIME type of a stored format. */
export function mimeOf(format: string): string {
  return format === "jpg" || format === "jpeg" ? "image/jpeg" : format === "webp" ? "image/webp" : "image/png";
}
