import { describe, expect, it } from "vitest";
import { createRng, digestOf } from "./prng.ts";
import { promptWords, readPromptThemes } from "./prompt-themes.ts";

describe("readPromptThemes", () => {
  it("maps colour and scene words, in prompt order", () => {
    const t = readPromptThemes("Neon night over the OCEAN");
    expect(t.matched).toEqual(["neon", "night", "ocean"]);
    expect([...t.features].sort()).toEqual(["horizon", "moon", "stars", "water"]);
    expect(t.mood).toBe("dark");
  });

  it("lets the negative prompt cancel themes and implied features", () => {
    const t = readPromptThemes("night sky with stars", "stars, moon");
    expect(t.features.has("stars")).toBe(false);
    expect(t.features.has("moon")).toBe(false);
    expect(t.matched).toContain("night");
  });

  it("ignores unknown and prototype-like words", () => {
    const t = readPromptThemes("constructor toString __proto__ hasOwnProperty");
    expect(t).toEqual({ colours: [], features: new Set(), mood: "normal", matched: [] });
  });

  it("singularises known plurals only", () => {
    expect(promptWords("Stars and mountains, glass")).toEqual(["star", "and", "mountain", "glass"]);
  });
});

describe("prng", () => {
  it("is deterministic per digest and independent per stream", () => {
    const d = digestOf(["a", 1]);
    const seq = (stream: string) => {
      const r = createRng(d, stream);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(seq("x")).toEqual(seq("x"));
    expect(seq("x")).not.toEqual(seq("y"));
    expect(digestOf(["ab", "c"]).equals(digestOf(["a", "bc"]))).toBe(false);
    const r = createRng(d);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 7);
      expect(v >= 3 && v <= 7 && Number.isInteger(v)).toBe(true);
    }
  });
});
