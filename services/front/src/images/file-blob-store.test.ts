import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { generationShard, STORED_FILE_SHARDS, storedFile } from "@imagegen/image-urls/stored-file";
import { describe, expect, it } from "vitest";
import { FileBlobStore } from "./blob-store.ts";

const freshDir = () => mkdtempSync(join(tmpdir(), "imagegen-blob-files-"));

describe("FileBlobStore layout", () => {
  it("keeps a generation's images in its shard folder, one file each, no folder of its own", async () => {
    const dir = freshDir();
    const blobs = new FileBlobStore(dir);
    await blobs.put("gen_a/img_1.png", new Uint8Array([1]));
    await blobs.put("gen_a/img_2_thumb.jpg", new Uint8Array([2]));
    const shard = generationShard(dir, "gen_a");
    expect(readdirSync(dir)).toEqual([shard.slice(dir.length + 1)]);
    expect(readdirSync(shard).sort()).toEqual(["gen_a.img_1.png", "gen_a.img_2_thumb.jpg"]);
    expect(readFileSync(storedFile(dir, "gen_a/img_2_thumb.jpg"))).toEqual(Buffer.from([2]));
  });

  it("spreads generations evenly over the shard folders", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 25_600; i++) {
      const shard = generationShard("/d", `gen_${Math.random().toString(36).slice(2)}`);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    expect(counts.size).toBe(STORED_FILE_SHARDS);
    expect(Math.min(...counts.values())).toBeGreaterThan(40);
    expect(Math.max(...counts.values())).toBeLessThan(180);
  });

  it("removes one generation's files and leaves its shard neighbours", async () => {
    const dir = freshDir();
    const blobs = new FileBlobStore(dir);
    // Two generations that share a shard folder.
    const target = "gen_x";
    const neighbour = Array.from({ length: 5_000 }, (_, i) => `gen_${i}`).find(
      (id) => generationShard(dir, id) === generationShard(dir, target),
    ) as string;
    await blobs.put(`${target}/img_1.png`, new Uint8Array([1]));
    await blobs.put(`${target}/img_2.png`, new Uint8Array([2]));
    await blobs.put(`${neighbour}/img_1.png`, new Uint8Array([3]));
    await blobs.removeGeneration(target);
    expect(readdirSync(generationShard(dir, target))).toEqual([`${neighbour}.img_1.png`]);
    await blobs.removeGeneration("gen_never_stored");
  });

  it("reads and removes files an older version wrote in a folder per generation", async () => {
    const dir = freshDir();
    mkdirSync(join(dir, "gen_old"));
    writeFileSync(join(dir, "gen_old", "img_1.png"), Buffer.from([7]));
    const blobs = new FileBlobStore(dir);
    expect(await blobs.get("gen_old/img_1.png")).toEqual(Buffer.from([7]));
    await blobs.removeGeneration("gen_old");
    expect(existsSync(join(dir, "gen_old"))).toBe(false);
    await expect(blobs.get("gen_old/img_1.png")).rejects.toThrow(/ENOENT/);
  });
});

// put() remembers the shard folders it made; these are the cases where that memory is wrong.
describe("FileBlobStore folders", () => {
  it("writes into a shard folder removed behind its back (another process, an operator)", async () => {
    const dir = freshDir();
    const blobs = new FileBlobStore(dir);
    await blobs.put("gen_a/img_1.png", new Uint8Array([1]));
    rmSync(generationShard(dir, "gen_a"), { recursive: true });
    await blobs.put("gen_a/img_2.png", new Uint8Array([2]));
    expect(readFileSync(storedFile(dir, "gen_a/img_2.png"))).toEqual(Buffer.from([2]));
  });

  it("writes when the whole data folder was removed", async () => {
    const dir = freshDir();
    const blobs = new FileBlobStore(dir);
    await blobs.put("gen_b/img_1.png", new Uint8Array([1]));
    rmSync(dir, { recursive: true });
    await blobs.put("gen_b/img_2.png", new Uint8Array([3]));
    expect(await blobs.get("gen_b/img_2.png")).toEqual(Buffer.from([3]));
    expect(dirname(storedFile(dir, "gen_b/img_2.png"))).toBe(generationShard(dir, "gen_b"));
  });

  it("stores a generation again after removing it", async () => {
    const dir = freshDir();
    const blobs = new FileBlobStore(dir);
    await blobs.put("gen_d/img_1.png", new Uint8Array([1]));
    await blobs.removeGeneration("gen_d");
    await blobs.put("gen_d/img_1.png", new Uint8Array([5]));
    expect(await blobs.get("gen_d/img_1.png")).toEqual(Buffer.from([5]));
  });
});
