import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { s3LocationFromUrl } from "@imagegen/image-urls/s3-location";
import {
  fileBlobReader,
  postgresBlobReader,
  s3BlobReader,
  type ImageBlobReader,
} from "../../../../gateway/src/http/image-blobs.ts";
import { startPostgres, type TestServer } from "../../test/state-servers.ts";
import { startSwiftS3, type S3TestServer } from "../../test/swift-s3-server.ts";
import { PostgresDatabase } from "../store/postgres-database.ts";
import { FileBlobStore, PostgresBlobStore, S3BlobStore, type BlobStore } from "./blob-store.ts";

// What the front writes, the gateway reads: the same suite over files, PostgreSQL and a real
// S3-compatible server (Swift's s3api), the reader being the gateway's own (gateway/src/http/image-blobs.ts).
let postgres: TestServer;
let db: PostgresDatabase;
let s3: S3TestServer;
beforeAll(async () => {
  // One after the other: each picks a free port, which two starting at once could both pick.
  postgres = await startPostgres();
  s3 = await startSwiftS3();
  db = await PostgresDatabase.open(postgres.url);
  // The SDK's standard credential chain, as in production.
  Object.assign(process.env, s3.credentials);
  await s3LocationFromUrl(s3.blobUrl("imagegen-test")).client.send(
    new CreateBucketCommand({ Bucket: "imagegen-test" }),
  );
}, 90_000);
afterAll(async () => {
  await db?.close();
  await Promise.all([postgres?.stop(), s3?.stop()]);
});

const dir = mkdtempSync(join(tmpdir(), "imagegen-blobs-"));
const backends: Array<[string, () => { blobs: BlobStore; reader: ImageBlobReader }]> = [
  ["files", () => ({ blobs: new FileBlobStore(dir), reader: fileBlobReader(dir) })],
  ["postgres", () => ({ blobs: new PostgresBlobStore(db), reader: postgresBlobReader(postgres.url) })],
  // Under a prefix, as a bucket shared with other data would be used.
  [
    "s3",
    () => ({
      blobs: new S3BlobStore(s3LocationFromUrl(s3.blobUrl("imagegen-test", "images"))),
      reader: s3BlobReader(s3LocationFromUrl(s3.blobUrl("imagegen-test", "images"))),
    }),
  ],
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

describe("IMAGEGEN_BLOB_URL", () => {
  it("names a bucket, an optional prefix and the server; credentials never ride in it", () => {
    const location = s3LocationFromUrl(
      "s3://bucket/some/prefix/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&path_style=true",
    );
    expect([location.bucket, location.prefix]).toEqual(["bucket", "some/prefix/"]);
    expect(s3LocationFromUrl("s3://bucket").prefix).toBe("");
    expect(() => s3LocationFromUrl("s3://key:secret@bucket")).toThrow(/must not carry credentials/);
    expect(() => s3LocationFromUrl("https://bucket")).toThrow(/must be s3:\/\/bucket/);
    expect(() => s3LocationFromUrl("not a url")).toThrow(/not a URL/);
  });

  it("is refused by the S3 server with a wrong secret (the reader rejects: 503, not 404)", async () => {
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = "wrong";
    // The SDK reads the chain at the first request: keep the wrong secret until then.
    const reader = s3BlobReader(s3LocationFromUrl(s3.blobUrl("imagegen-test", "images")));
    try {
      await expect(reader.read("gen_x/img_y.png")).rejects.toThrow();
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
      await reader.close();
    }
  });
});
