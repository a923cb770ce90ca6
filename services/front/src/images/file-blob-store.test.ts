import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileBlobStore } from "./blob-store.ts";

// put() remembers the folders it made; these are the cases where that memory is wrong.
describe("FileBlobStore folders", () => {
  it("writes into a generation folder removed behind its back (another process, an operator)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "imagegen-blob-folders-"));
    const blobs = new FileBlobStore(dir);
    await blobs.put("gen_a/img_1.png", new Uint8Array([1]));
    rmSync(join(dir, "gen_a"), { recursive: true });
    await blobs.put("gen_a/img_2.png", new Uint8Array([2]));
    expect(readFileSync(join(dir, "gen_a/img_2.png"))).toEqual(Buffer.from([2]));
  });

  it("writes when the whole data folder was removed and a generation folder is made again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "imagegen-blob-folders-"));
    const blobs = new FileBlobStore(dir);
    await blobs.put("gen_b/img_1.png", new Uint8Array([1]));
    rmSync(dir, { recursive: true });
    await blobs.put("gen_b/img_2.png", new Uint8Array([3]));
    await blobs.put("gen_c/img_1.png", new Uint8Array([4]));
    expect(readFileSync(join(dir, "gen_b/img_2.png"))).toEqual(Buffer.from([3]));
    expect(readFileSync(join(dir, "gen_c/img_1.png"))).toEqual(Buffer.from([4]));
  });

  it("makes a generation's folder again after removing the generation itself", async () => {
    const dir = mkdtempSync(join(tmpdir(), "imagegen-blob-folders-"));
    const blobs = new FileBlobStore(dir);
    await blobs.put("gen_d/img_1.png", new Uint8Array([1]));
    await blobs.removeGeneration("gen_d");
    await blobs.put("gen_d/img_1.png", new Uint8Array([5]));
    expect(await blobs.get("gen_d/img_1.png")).toEqual(Buffer.from([5]));
  });

  it("remembers only a bounded number of folders, and still writes into ones it forgot", async () => {
    const dir = mkdtempSync(join(tmpdir(), "imagegen-blob-folders-"));
    const blobs = new FileBlobStore(dir);
    for (let i = 0; i < 1_100; i++) await blobs.put(`gen_${i}/img.png`, new Uint8Array([i % 256]));
    expect((blobs as unknown as { madeDirs: Set<string> }).madeDirs.size).toBeLessThanOrEqual(1_024);
    await blobs.put("gen_0/img_2.png", new Uint8Array([6]));
    expect(await blobs.get("gen_0/img_2.png")).toEqual(Buffer.from([6]));
  });
});
