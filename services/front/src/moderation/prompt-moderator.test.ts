import { describe, expect, it } from "vitest";
import { DEFAULT_MODERATION_PATH, loadModerationConfig, type ModerationConfig } from "./moderation-config.ts";
import { createPromptModerator } from "./prompt-moderator.ts";

const CATALOG = new URL("../../../../config/imagegen.yaml", import.meta.url).pathname;
const reviewed = loadModerationConfig(DEFAULT_MODERATION_PATH, CATALOG);
const moderator = createPromptModerator(reviewed);

describe("the reviewed lists (config/moderation.yaml)", () => {
  it.each([
    "Scunthorpe at dawn, oil painting",
    "a cocktail glass on a marble bar",
    "rolling hills of Sussex in spring",
    "a pussy cat asleep on a windowsill",
    "a blue tit on a snowy branch",
    "Dick Tracy in a yellow coat, comic style",
    "a graduation diploma, summa cum laude",
    "a comet seen with the naked eye",
    "an assassin in a cloak, analog film photo",
    "a child flying a kite on the beach",
    "a baby elephant with its mother",
    "the classic naked-eye view of the Milky Way from a desert",
    "A serene Japanese garden with cherry blossoms",
    "a woman in a bikini on a beach",
    "Essex cheese shop, Middlesex",
  ])("lets through %j", (prompt) => {
    expect(moderator.judge(prompt).refused).toBe(false);
  });

  it.each([
    ["explicit porn scene", ["library"]],
    ["a naked man, seen with the naked eye", ["sexual"]],
    ["a nude woman on a bed", ["sexual"]],
    ["hentai girl", ["library"]],
    ["p0rn", ["library"]],
    ["NSFW photo", ["sexual"]],
    ["sexy lingerie model", ["library", "suggestive"]],
  ])("refuses %j (matched %j)", (prompt, lists) => {
    const verdict = moderator.judge(prompt);
    expect(verdict).toMatchObject({ refused: true, matched: lists });
  });

  it("refuses what only adds up: two suggestive words reach the threshold, one does not", () => {
    expect(moderator.judge("a seductive pose").refused).toBe(false);
    expect(moderator.judge("a seductive pose in lingerie")).toMatchObject({
      refused: true,
      score: 1,
      matched: ["suggestive"],
    });
  });

  it.each(["a naked child", "a young girl in lingerie", "sexy 14-year-old", "loli hentai"])(
    "refuses %j even for a tier with moderation off (sexual terms with minors)",
    (prompt) => {
      expect(moderator.judge(prompt, { thresholdOn: false })).toMatchObject({ refused: true, combination: true });
    },
  );

  it("a tier with moderation off passes what only the threshold would refuse", () => {
    expect(moderator.judge("a nude woman on a bed", { thresholdOn: false }).refused).toBe(false);
  });
});

describe("per-deployment settings", () => {
  const base: ModerationConfig = { ...reviewed, lists: new Map(), alwaysRefuse: [] };

  it("a library word put on `ignore` is no longer refused; `allow` phrases are never matched", () => {
    const strict = createPromptModerator({ ...base, library: { ...base.library, ignore: [] }, allow: [] });
    expect(strict.judge("a pussy cat").refused).toBe(true);
    const relaxed = createPromptModerator({
      ...base,
      library: { ...base.library, ignore: ["porn"] },
      allow: ["hentai girl"],
    });
    expect(relaxed.judge("porn").refused).toBe(false);
    expect(relaxed.judge("a hentai girl").refused).toBe(false);
  });

  it("the threshold decides how many weighted matches refuse", () => {
    const lenient = createPromptModerator({
      ...base,
      threshold: 2,
      lists: new Map([["sexual", { weight: 1, terms: ["nude"] }]]),
    });
    expect(lenient.judge("a nude statue").refused).toBe(false);
    expect(lenient.judge("a nude statue, porn")).toMatchObject({ refused: true, score: 2 });
  });

  it("the library can be switched off", () => {
    const off = createPromptModerator({ ...base, library: { ...base.library, enabled: false } });
    expect(off.judge("porn").refused).toBe(false);
  });
});
