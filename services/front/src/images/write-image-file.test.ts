import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INLINE_WRITE_MAX_BYTES, writeImageFile } from "./write-image-file.ts";

describe.each([
  ["small enough to be written inline", INLINE_WRITE_MAX_BYTES],
  ["written through the thread pool", INLINE_WRITE_MAX_BYTES + 1],
])("a file %s", (_how, size) => {
  it("lands whole under its name, with no temp file left beside it, and replaces an older one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "write-image-"));
    const file = join(dir, "gen_a.img_1.png");
    await writeImageFile(file, new Uint8Array(10).fill(1));
    const bytes = new Uint8Array(size).map((_, i) => i % 251);
    await writeImageFile(file, bytes);
    expect(readdirSync(dir)).toEqual(["gen_a.img_1.png"]);
    expect(readFileSync(file).equals(Buffer.from(bytes))).toBe(true);
  });

  it("rejects with ENOENT when its folder is missing (the blob store makes it and retries)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "write-image-"));
    await expect(writeImageFile(join(dir, "gone", "f.png"), new Uint8Array(size))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
