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

/** A list compiled for matching: each term as its tokens. */
export interface CompiledList {
  readonly name: string;
  readonly weight: number;
  readonly terms: readonly (readonly string[])[];
}

export function compileList(name: string, weight: number, terms: readonly string[]): CompiledList {
  return { name, weight, terms: terms.map(tokens).filter((t) => t.length > 0) };
}

/** How many distinct terms of the list occur in the prompt's tokens. */
export function countMatches(list: CompiledList, promptTokens: readonly string[]): number {
  return list.terms.filter((term) => positionsOf(term, promptTokens).length > 0).length;
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
  const last = term.length - 1;
  for (let start = 0; start + term.length <= words.length; start++) {
    let ok = true;
    for (let i = 0; i <= last && ok; i++) {
      const word = words[start + i]!;
      ok = word === term[i] || (plural && i === last && (word === `${term[i]}s` || word === `${term[i]}es`));
    }
    if (ok) found.push(start);
  }
  return found;
}
