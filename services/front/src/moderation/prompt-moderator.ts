import { DataSet, englishDataset, englishRecommendedTransformers, RegExpMatcher } from "obscenity";
import type { ModerationConfig } from "./moderation-config.ts";
import { compileList, countMatches, tokens, withoutAllowed, type CompiledList } from "./term-lists.ts";

/** Why a prompt was (or was not) refused: list names only, never the matched words. */
export interface ModerationVerdict {
  readonly refused: boolean;
  /** Each list's weight times the distinct terms of it that matched (the library counts once). */
  readonly score: number;
  /** Names of the lists that matched. */
  readonly matched: readonly string[];
  /** True when an `always_refuse` combination matched (refused whatever the tier says). */
  readonly combination: boolean;
}

export interface PromptModerator {
  /**
   * Judges one prompt. `thresholdOn: false` (a tier with moderation off) skips the score
   * check; the always-refused combinations still apply.
   */
  judge(prompt: string, options?: { readonly thresholdOn?: boolean }): ModerationVerdict;
}

/** Name of the word-list library in `matched` and in `always_refuse`. */
export const LIBRARY = "library";

/** Builds the moderator once per process: the library's matcher compiles its patterns here. */
export function createPromptModerator(config: ModerationConfig): PromptModerator {
  const library = config.library.enabled ? libraryMatcher(config.library.ignore, config.allow) : undefined;
  const lists: CompiledList[] = [...config.lists].map(([name, list]) => compileList(name, list.weight, list.terms));
  const allowed = config.allow.map(tokens);
  return {
    judge(prompt, options = {}) {
      const words = withoutAllowed(tokens(prompt), allowed);
      const matched: string[] = [];
      let score = 0;
      if (library?.hasMatch(prompt)) {
        matched.push(LIBRARY);
        score += config.library.weight;
      }
      for (const list of lists) {
        const count = countMatches(list, words);
        if (count === 0) continue;
        matched.push(list.name);
        score += count * list.weight;
      }
      const combination = config.alwaysRefuse.some((group) => group.every((name) => matched.includes(name)));
      const overThreshold = options.thresholdOn !== false && score >= config.threshold;
      return { refused: combination || overThreshold, score, matched, combination };
    },
  };
}

function libraryMatcher(ignore: readonly string[], allow: readonly string[]): RegExpMatcher {
  const ignored = new Set(ignore.map((w) => w.toLowerCase()));
  const dataset = new DataSet<{ originalWord: string }>()
    .addAll(englishDataset)
    .removePhrasesIf((phrase) => ignored.has(phrase.metadata?.originalWord ?? ""));
  const built = dataset.build();
  return new RegExpMatcher({
    ...built,
    whitelistedTerms: [...(built.whitelistedTerms ?? []), ...allow.map((p) => p.toLowerCase())],
    ...englishRecommendedTransformers,
  });
}
