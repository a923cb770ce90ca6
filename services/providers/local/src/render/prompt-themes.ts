/**
 * Reads a prompt for visual themes: colour words become HSL colours, scene
 * words switch on scene features (stars, sun, horizon ...), mood words make
 * the picture darker or lighter. Words in the negative prompt cancel the
 * same themes and features. Pure and order-preserving.
 */
import type { Hsl } from "./colour.ts";

/** Scene elements a prompt can switch on. */
export type SceneFeature = "stars" | "sun" | "moon" | "horizon" | "water" | "mountains" | "dunes";

/** Overall brightness tendency of the picture. */
export type Mood = "dark" | "normal" | "light";

type Theme = { colours: Hsl[]; features?: SceneFeature[]; mood?: Mood };

const hsl = (h: number, s: number, l: number): Hsl => ({ h, s, l });

// A Map, not an object literal: prompt words like "constructor" must not hit prototype keys.
const THEMES = new Map<string, Theme>([
  ["red", { colours: [hsl(0, 80, 48)] }],
  ["crimson", { colours: [hsl(348, 78, 40)] }],
  ["orange", { colours: [hsl(28, 90, 52)] }],
  ["gold", { colours: [hsl(45, 88, 52)] }],
  ["golden", { colours: [hsl(42, 85, 55)] }],
  ["yellow", { colours: [hsl(55, 92, 55)] }],
  ["green", { colours: [hsl(120, 60, 40)] }],
  ["forest", { colours: [hsl(135, 45, 26), hsl(95, 40, 38)], features: ["horizon", "mountains"] }],
  ["grass", { colours: [hsl(100, 55, 42)], features: ["horizon"] }],
  ["teal", { colours: [hsl(175, 65, 38)] }],
  ["turquoise", { colours: [hsl(172, 70, 50)] }],
  ["cyan", { colours: [hsl(186, 85, 50)] }],
  ["ocean", { colours: [hsl(205, 75, 36), hsl(190, 60, 50)], features: ["horizon", "water"] }],
  ["sea", { colours: [hsl(200, 70, 40)], features: ["horizon", "water"] }],
  ["lake", { colours: [hsl(195, 50, 45)], features: ["horizon", "water"] }],
  ["water", { colours: [hsl(198, 65, 45)], features: ["water"] }],
  ["blue", { colours: [hsl(220, 78, 48)] }],
  ["sky", { colours: [hsl(203, 75, 68)] }],
  ["purple", { colours: [hsl(275, 60, 45)] }],
  ["violet", { colours: [hsl(268, 65, 55)] }],
  ["magenta", { colours: [hsl(305, 80, 50)] }],
  ["pink", { colours: [hsl(333, 75, 72)] }],
  ["brown", { colours: [hsl(25, 45, 30)] }],
  ["sunset", { colours: [hsl(14, 88, 52), hsl(35, 95, 56), hsl(330, 60, 42)], features: ["sun", "horizon"] }],
  ["sunrise", { colours: [hsl(40, 90, 60), hsl(20, 85, 62), hsl(205, 55, 70)], features: ["sun", "horizon"] }],
  ["sun", { colours: [hsl(48, 95, 60)], features: ["sun"] }],
  ["night", { colours: [hsl(232, 50, 14), hsl(250, 40, 24)], features: ["stars", "moon"], mood: "dark" }],
  ["moon", { colours: [hsl(220, 20, 80)], features: ["moon"] }],
  ["star", { colours: [], features: ["stars"] }],
  ["space", { colours: [hsl(255, 45, 10), hsl(285, 50, 25)], features: ["stars"], mood: "dark" }],
  ["galaxy", { colours: [hsl(270, 55, 18), hsl(310, 60, 40)], features: ["stars"], mood: "dark" }],
  ["neon", { colours: [hsl(305, 100, 55), hsl(180, 100, 50)], mood: "dark" }],
  ["fire", { colours: [hsl(12, 95, 50), hsl(38, 100, 55)] }],
  ["lava", { colours: [hsl(8, 90, 42), hsl(25, 100, 50)], mood: "dark" }],
  ["ice", { colours: [hsl(195, 45, 85)], mood: "light" }],
  ["snow", { colours: [hsl(210, 25, 92)], features: ["horizon", "mountains"], mood: "light" }],
  ["winter", { colours: [hsl(205, 35, 82)], mood: "light" }],
  ["desert", { colours: [hsl(36, 60, 62), hsl(24, 55, 48)], features: ["horizon", "dunes", "sun"] }],
  ["sand", { colours: [hsl(40, 55, 70)], features: ["dunes"] }],
  ["mountain", { colours: [hsl(215, 18, 40)], features: ["horizon", "mountains"] }],
  ["landscape", { colours: [], features: ["horizon"] }],
  ["dark", { colours: [], mood: "dark" }],
  ["black", { colours: [hsl(0, 0, 8)], mood: "dark" }],
  ["white", { colours: [hsl(0, 0, 95)], mood: "light" }],
  ["pastel", { colours: [], mood: "light" }],
  ["bright", { colours: [], mood: "light" }],
]);

// Which words suppress a feature when they appear in the negative prompt.
const FEATURE_WORDS: ReadonlyMap<SceneFeature, readonly string[]> = new Map<SceneFeature, readonly string[]>([
  ["stars", ["star", "night", "space", "galaxy"]],
  ["sun", ["sun", "sunset", "sunrise"]],
  ["moon", ["moon", "night"]],
  ["horizon", ["horizon", "landscape"]],
  ["water", ["water", "ocean", "sea", "lake"]],
  ["mountains", ["mountain"]],
  ["dunes", ["dune", "sand", "desert"]],
]);

/** What a prompt asks for visually. `colours` keep prompt order; `matched` lists the theme words used. */
export type PromptThemes = { colours: Hsl[]; features: Set<SceneFeature>; mood: Mood; matched: string[] };

/** At most this many words of a prompt are read (bounds work on huge prompts). */
export const MAX_PROMPT_WORDS = 256;

/**
 * Lower-cased words of `text` (letters only), with a plural "s" dropped when
 * the singular is a known theme word ("stars" → "star"). At most MAX_PROMPT_WORDS.
 */
export function promptWords(text: string): string[] {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, MAX_PROMPT_WORDS);
  return words.map((w) => (w.length > 3 && w.endsWith("s") && THEMES.has(w.slice(0, -1)) ? w.slice(0, -1) : w));
}

/**
 * Themes of `prompt` minus those named in `negativePrompt`. A theme word in
 * both is ignored; a feature is dropped when any word that implies it is negated.
 */
export function readPromptThemes(prompt: string, negativePrompt = ""): PromptThemes {
  const negative = new Set(promptWords(negativePrompt));
  const colours: Hsl[] = [];
  const features = new Set<SceneFeature>();
  const matched: string[] = [];
  let dark = 0;
  let light = 0;
  for (const word of new Set(promptWords(prompt))) {
    const theme = THEMES.get(word);
    if (theme === undefined || negative.has(word)) continue;
    matched.push(word);
    colours.push(...theme.colours);
    for (const f of theme.features ?? []) features.add(f);
    if (theme.mood === "dark") dark++;
    if (theme.mood === "light") light++;
  }
  for (const [feature, words] of FEATURE_WORDS) {
    if (words.some((w) => negative.has(w))) features.delete(feature);
  }
  if (negative.has("dark")) dark = 0;
  if (negative.has("bright") || negative.has("light")) light = 0;
  const mood: Mood = dark > light ? "dark" : light > dark ? "light" : "normal";
  return { colours, features, mood, matched };
}
