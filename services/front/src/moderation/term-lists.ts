/**
 * Whole-word matching of our reviewed lists: a prompt and every term are reduced to the same
 * tokens (accents stripped, lower case, split on anything not a letter or digit), and a term
 * matches a run of equal tokens, its last word also in the plural ("nudes", "kisses"). Words
 * inside other words never match, so "Scunthorpe" or "cocktail" cannot trip a list.
 */
export function tokens(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A list compiled for matching: each term as its tokens, indexed by its first word. */
export interface CompiledList {
  readonly name: string;
  readonly weight: number;
  readonly byFirstWord: ReadonlyMap<string, readonly (readonly string[])[]>;
}

export function compileList(name: string, weight: number, terms: readonly string[]): CompiledList {
  const byFirstWord = new Map<string, (readonly string[])[]>();
  for (const term of terms.map(tokens).filter((t) => t.length > 0)) {
    const bucket = byFirstWord.get(term[0]!) ?? [];
    bucket.push(term);
    byFirstWord.set(term[0]!, bucket);
  }
  return { name, weight, byFirstWord };
}

/**
 * How many distinct terms of the list occur in the prompt's tokens. Only terms whose first word
 * is at a position are tried there (a one-word term also under its plural), so the cost grows
 * with the prompt, not with the prompt times the list.
 */
export function countMatches(list: CompiledList, promptTokens: readonly string[]): number {
  const found = new Set<readonly string[]>();
  for (let start = 0; start < promptTokens.length; start++) {
    const word = promptTokens[start]!;
    if (!word) continue;
    for (const first of singularsOf(word)) {
      for (const term of list.byFirstWord.get(first) ?? []) {
        if (!found.has(term) && matchesAt(term, promptTokens, start, true)) found.add(term);
      }
    }
  }
  return found.size;
}

/** The word itself and what it would be without a plural "s"/"es". */
function singularsOf(word: string): string[] {
  const forms = [word];
  if (word.endsWith("s")) forms.push(word.slice(0, -1));
  if (word.endsWith("es")) forms.push(word.slice(0, -2));
  return forms;
}

/**
 * The prompt's tokens with every occurrence of the allowed phrases blanked out, so that
 * "naked-eye view" cannot match "naked" while "naked" elsewhere in the prompt still does.
 */
export function withoutAllowed(promptTokens: readonly string[], allowed: readonly (readonly string[])[]): string[] {
  const words = [...promptTokens];
  for (const phrase of allowed) {
    for (const start of positionsOf(phrase, words, false)) words.fill("", start, start + phrase.length);
  }
  return words;
}

function positionsOf(term: readonly string[], words: readonly string[], plural = true): number[] {
  const found: number[] = [];
  for (let start = 0; start + term.length <= words.length; start++)
    if (matchesAt(term, words, start, plural)) found.push(start);
  return found;
}

/** The term's words at `start`, its last word also in the plural when `plural`. */
function matchesAt(term: readonly string[], words: readonly string[], start: number, plural: boolean): boolean {
  if (start + term.length > words.length) return false;
  const last = term.length - 1;
  for (let i = 0; i <= last; i++) {
    const word = words[start + i]!;
    if (!(word === term[i] || (plural && i === last && (word === `${term[i]}s` || word === `${term[i]}es`))))
      return false;
  }
  return true;
}
