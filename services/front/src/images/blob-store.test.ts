import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileBlobReader, postgresBlobReader, type ImageBlobReader } from "../../../../gateway/src/http/image-blobs.ts";
import { startPostgres, type TestServer } from "../../test/state-servers.ts";
import { PostgresDatabase } from "../store/postgres-database.ts";
import { FileBlobStore, PostgresBlobStore, type BlobStore } from "./blob-store.ts";

// What the front writes, the gateway reads: the same suite over files and over PostgreSQL, the
// reader being the gateway's own (gateway/src/http/image-blobs.ts).
let postgres: TestServer;
let db: PostgresDatabase;
beforeAll(async () => {
  postgres = await startPostgres();
  db = await PostgresDatabase.open(postgres.url);
});
afterAll(async () => {
  await db?.close();
  await postgres?.stop();
});

const dir = mkdtempSync(join(tmpdir(), "imagegen-blobs-"));
const backends: Array<[string, () => { blobs: BlobStore; reader: ImageBlobReader }]> = [
  ["files", () => ({ blobs: new FileBlobStore(dir), reader: fileBlobReader(dir) })],
  ["postgres", () => ({ blobs: new PostgresBlobStore(db), reader: postgresBlobReader(postgres.url) })],
];

describe.each(backends)("image blobs in %s", (name) => {
  let blobs: BlobStore;
  let reader: ImageBlobReader;
  beforeAll(() => {
    ({ blobs, reader } = backends.find(([n]) => n === name)![1]());
  });
  afterAll(() => reader?.close());

  it("stores bytes the gateway's reader returns whole, replaces them on a second put, and deletes a generation's", async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    await blobs.put(`gen_${name}_1/img_a.png`, bytes);
    await blobs.put(`gen_${name}_1/img_b.jpg`, new Uint8Array([1, 2, 3]));
    await blobs.put(`gen_${name}_2/img_c.webp`, new Uint8Array([9]));
    expect((await reader.read(`gen_${name}_1/img_a.png`))?.equals(bytes)).toBe(true);
    expect(await blobs.get(`gen_${name}_1/img_b.jpg`)).toEqual(Buffer.from([1, 2, 3]));
    await blobs.put(`gen_${name}_1/img_b.jpg`, new Uint8Array([4, 5]));
    expect(await reader.read(`gen_${name}_1/img_b.jpg`)).toEqual(Buffer.from([4, 5]));
    expect(await reader.read(`gen_${name}_9/img_x.png`)).toBeUndefined();
    await blobs.removeGeneration(`gen_${name}_1`);
    await blobs.removeGeneration(`gen_${name}_none`);
    expect(await reader.read(`gen_${name}_1/img_a.png`)).toBeUndefined();
    await expect(blobs.get(`gen_${name}_1/img_b.jpg`)).rejects.toThrow();
    expect(await reader.read(`gen_${name}_2/img_c.webp`)).toEqual(Buffer.from([9]));
  });
});

describe("the gateway's PostgreSQL blob reader", () => {
  it("rejects (the caller answers 503) while the database cannot be reached", async () => {
    const reader = postgresBlobReader("postgres://nobody@127.0.0.1:1/none");
    await expect(reader.read("gen_x/img_y.png")).rejects.toThrow();
    await reader.close();
  });
});
