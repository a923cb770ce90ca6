import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { signImageUrl } from "@imagegen/image-urls";
import { storedFile } from "@imagegen/image-urls/stored-file";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileBlobReader, type ImageBlobReader } from "./image-blobs.ts";
import { serveImage } from "./image-files.ts";

const key = Buffer.alloc(32, 7);
const dir = mkdtempSync(join(tmpdir(), "image-files-"));
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(70_000, 1)]);
// Where the front writes it now (stored-file.ts)...
mkdirSync(dirname(storedFile(dir, "gen_a/img_1.png")), { recursive: true });
writeFileSync(storedFile(dir, "gen_a/img_1.png"), png);
// ...and where versions before the shard folders wrote theirs.
const legacyPng = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(1_000, 2)]);
mkdirSync(join(dir, "gen_old"));
writeFileSync(join(dir, "gen_old", "img_1.png"), legacyPng);

// Bytes as a database or object store hands them over: whole, no stream.
const inMemory: ImageBlobReader = {
  kind: "postgres",
  read: async (path) => (path === "gen_a/img_1.png" ? png : undefined),
  close: async () => {},
};
const unreachable: ImageBlobReader = {
  kind: "s3",
  read: () => Promise.reject(new Error("connect ECONNREFUSED")),
  close: async () => {},
};

let server: Server;
let base: string;
let reader: ImageBlobReader = fileBlobReader(dir);
beforeAll(async () => {
  server = createServer((req, res) => void serveImage(req, res, new URL(req.url ?? "/", "http://x"), reader, key));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server?.close());

describe.each([
  ["files (streamed)", fileBlobReader(dir)],
  ["a whole-bytes store", inMemory],
])("serving stored images from %s", (_name, store) => {
  it("answers GET with the bytes and HEAD with their length only; a missing image is 404, a bad signature 403", async () => {
    reader = store;
    const url = signImageUrl(base, key, "gen_a/img_1.png");
    const got = await fetch(url);
    expect([got.status, got.headers.get("content-type"), got.headers.get("content-length")]).toEqual([
      200,
      "image/png",
      String(png.length),
    ]);
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);
    const head = await fetch(url, { method: "HEAD" });
    expect([head.status, head.headers.get("content-length"), (await head.arrayBuffer()).byteLength]).toEqual([
      200,
      String(png.length),
      0,
    ]);
    expect((await fetch(signImageUrl(base, key, "gen_a/img_2.png"))).status).toBe(404);
    expect((await fetch(url.replace(/sig=[^&]+/, "sig=AAAA"))).status).toBe(403);
  });
});

describe("serving files an older version wrote (a folder per generation)", () => {
  it.each([
    ["streamed", fileBlobReader(dir)],
    ["read whole", { ...fileBlobReader(dir), stream: undefined }],
  ])("still serves them, %s", async (_how, files) => {
    reader = files;
    const got = await fetch(signImageUrl(base, key, "gen_old/img_1.png"));
    expect([got.status, got.headers.get("content-length")]).toEqual([200, String(legacyPng.length)]);
    expect(Buffer.from(await got.arrayBuffer()).equals(legacyPng)).toBe(true);
    expect((await fetch(signImageUrl(base, key, "gen_old/img_2.png"))).status).toBe(404);
  });
});

describe("serving while the blob store is away", () => {
  it("answers 503 with Retry-After, not 404", async () => {
    reader = unreachable;
    const res = await fetch(signImageUrl(base, key, "gen_a/img_1.png"));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
  });
});
