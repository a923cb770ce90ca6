import { describe, expect, it } from "vitest";
import { expandFileName, promptSnippet, unknownPlaceholders } from "./file-naming.ts";

const input = {
  imageId: "img_abc",
  generationId: "gen_xyz",
  model: "flux-pro",
  prompt: "A cat",
  index: 2,
  format: "png",
  at: Date.UTC(2026, 0, 2, 3, 4, 5),
};

describe("file naming", () => {
  it.each([
    ["{date}_{prompt_snippet}_{id}", "2026-01-02_a-cat_img_abc.png"],
    ["{time}-{generation_id}-{model}-{index}", "030405-gen_xyz-flux-pro-2.png"],
    ["", "2026-01-02_a-cat_img_abc.png"],
    ["../{id}/x", "..-img_abc-x.png"],
    ["{unknown}", "{unknown}.png"],
  ])("expands %j to %j", (template, expected) => {
    expect(expandFileName(template, input)).toBe(expected);
  });

  it("gives jpg and webp their extension", () => {
    expect(expandFileName("{id}", { ...input, format: "jpg" })).toBe("img_abc.jpg");
    expect(expandFileName("{id}", { ...input, format: "webp" })).toBe("img_abc.webp");
  });

  it.each([
    ["A Lighthouse at night, stormy sea!", "a-lighthouse-at-night-stormy-sea"],
    ["  ÉCLAIR  au chocolat ", "eclair-au-chocolat"],
    ["one two three four five six seven eight nine ten", "one-two-three-four-five-six-seven-eight"],
    ["x".repeat(60), "x".repeat(40)],
    ["!!!", ""],
  ])("makes the prompt %j the snippet %j (≤ 40 characters, first words)", (prompt, snippet) => {
    expect(promptSnippet(prompt)).toBe(snippet);
    expect(promptSnippet(prompt).length).toBeLessThanOrEqual(40);
  });

  it("uses 'image' when the prompt has no word (processed images)", () => {
    expect(expandFileName("{prompt_snippet}_{id}", { ...input, prompt: "" })).toBe("image_img_abc.png");
  });

  it("names unknown placeholders", () => {
    expect(unknownPlaceholders("{date}_{foo}_{id}_{}")).toEqual(["foo", ""]);
    expect(unknownPlaceholders("{date}_{time}_{prompt_snippet}_{id}_{generation_id}_{model}_{index}")).toEqual([]);
  });
});
