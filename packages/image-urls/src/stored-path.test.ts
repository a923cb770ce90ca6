import { describe, expect, it } from "vitest";
import { isStoredImagePath } from "./index.ts";

describe("stored image paths", () => {
  it("are <generation>/<image>.<ext> and nothing else", () => {
    expect(["gen_abc/img_1.png", "gen-x/img-y.jpg", "proc_1/result.webp", "g/i.jpeg"].map(isStoredImagePath)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    const refused = [
      "../etc/passwd",
      "gen/img.png/..",
      "gen/../img.png",
      "gen/img.gif",
      "gen/sub/img.png",
      "img.png",
      `${"a".repeat(65)}/img.png`,
      "gen/img.png\n",
    ];
    expect(refused.filter(isStoredImagePath)).toEqual([]);
  });
});
