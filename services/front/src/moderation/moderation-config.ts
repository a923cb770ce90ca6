import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** One of our reviewed lists: whole words or phrases, and what one match adds to the score. */
export interface TermList {
  readonly weight: number;
  readonly terms: readonly string[];
}

/** config/moderation.yaml, checked. */
export interface ModerationConfig {
  /** A prompt whose matched lists' weights add up to at least this is refused. */
  readonly threshold: number;
  readonly library: {
    readonly enabled: boolean;
    readonly weight: number;
    /** obscenity dataset words (their `originalWord`) never refused here. */
    readonly ignore: readonly string[];
  };
  /** Phrases never matched, by the library or by our lists ("naked eye", "cum laude"). */
  readonly allow: readonly string[];
  readonly lists: ReadonlyMap<string, TermList>;
  /** Groups of list names ("library" = the dataset) whose matches together are always refused. */
  readonly alwaysRefuse: readonly (readonly string[])[];
  /** Key tiers whose threshold check is off (`tiers.<tier>.moderation: false` in imagegen.yaml). */
  readonly tiersOff: ReadonlySet<string>;
}

/** The repository's reviewed lists; IMAGEGEN_MODERATION_CONFIG names another file. */
export const DEFAULT_MODERATION_PATH = fileURLToPath(new URL("../../../../config/moderation.yaml", import.meta.url));

/**
 * Reads the moderation lists and the tiers' switches. A malformed file stops the start with a
 * message naming the key, like the catalog: a deployment must never run with moderation it did
 * not mean.
 */
export function loadModerationConfig(moderationPath: string, catalogPath: string): ModerationConfig {
  const raw = object(parse(readFileSync(moderationPath, "utf8")) ?? {}, moderationPath);
  const fail = (key: string, what: string): never => {
    throw new Error(`${moderationPath}: ${key} ${what}`);
  };
  const threshold = raw.threshold ?? 1;
  if (typeof threshold !== "number" || !(threshold > 0)) fail("threshold", "must be a number > 0");
  const library = object(raw.library ?? {}, `${moderationPath}: library`);
  const lists = new Map<string, TermList>();
  for (const [name, value] of Object.entries(object(raw.lists ?? {}, `${moderationPath}: lists`))) {
    if (name === "library") fail("lists.library", "is reserved for the word-list library");
    const list = object(value, `${moderationPath}: lists.${name}`);
    const weight = list.weight ?? 1;
    if (typeof weight !== "number" || !(weight >= 0)) fail(`lists.${name}.weight`, "must be a number >= 0");
    lists.set(name, { weight: weight as number, terms: strings(list.terms, `lists.${name}.terms`, fail) });
  }
  const alwaysRefuse = ((raw.always_refuse ?? []) as unknown[]).map((group, i) => {
    const names = strings(group, `always_refuse[${i}]`, fail);
    for (const name of names)
      if (name !== "library" && !lists.has(name)) fail(`always_refuse[${i}]`, `names an unknown list "${name}"`);
    if (names.length < 2) fail(`always_refuse[${i}]`, "must name at least two lists");
    return names;
  });
  const libraryWeight = library.weight ?? 1;
  if (typeof libraryWeight !== "number" || !(libraryWeight >= 0)) fail("library.weight", "must be a number >= 0");
  return {
    threshold: threshold as number,
    library: {
      enabled: library.enabled !== false,
      weight: libraryWeight as number,
      ignore: strings(library.ignore ?? [], "library.ignore", fail),
    },
    allow: strings(raw.allow ?? [], "allow", fail),
    lists,
    alwaysRefuse,
    tiersOff: tiersWithModerationOff(catalogPath),
  };
}

/** `tiers.<name>.moderation: false` in config/imagegen.yaml (anything but `false` keeps it on). */
function tiersWithModerationOff(catalogPath: string): Set<string> {
  const tiers =
    (parse(readFileSync(catalogPath, "utf8")) as { tiers?: Record<string, { moderation?: unknown } | null> } | null)
      ?.tiers ?? {};
  const off = new Set<string>();
  for (const [name, tier] of Object.entries(tiers)) {
    const value = tier?.moderation;
    if (value === undefined) continue;
    if (typeof value !== "boolean") throw new Error(`${catalogPath}: tiers.${name}.moderation must be true or false`);
    if (!value) off.add(name);
  }
  return off;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${where} must be a mapping`);
  return value as Record<string, unknown>;
}

function strings(value: unknown, key: string, fail: (key: string, what: string) => never): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" && typeof v !== "number"))
    fail(key, "must be a list of words");
  return (value as unknown[]).map(String);
}
