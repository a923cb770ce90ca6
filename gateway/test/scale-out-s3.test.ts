import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { s3LocationFromUrl } from "@imagegen/image-urls/s3-location";
import { existsSync, readdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, startRedis, type TestServer } from "../../services/front/test/state-servers.ts";
import { startSwiftS3, type S3TestServer } from "../../services/front/test/swift-s3-server.ts";
import { restClient } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Two instances with separate data dirs whose image bytes live in S3-compatible object storage
// (IMAGEGEN_BLOB_URL; a real server: OpenStack Swift's s3api), rows in PostgreSQL, counters in Redis.
let postgres: TestServer;
let redis: TestServer;
let s3: S3TestServer;
let a: RunningSystem;
let b: RunningSystem;
let key: string;

beforeAll(async () => {
  // One after the other: each picks a free port, which two starting at once could both pick.
  postgres = await startPostgres();
  redis = await startRedis();
  s3 = await startSwiftS3();
  const blobUrl = s3.blobUrl("imagegen-images", "prod");
  // The operator creates the bucket; the SDK takes the credentials from the environment.
  Object.assign(process.env, s3.credentials);
  await s3LocationFromUrl(blobUrl).client.send(new CreateBucketCommand({ Bucket: "imagegen-images" }));
  const env = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    IMAGEGEN_BLOB_URL: blobUrl,
    ...s3.credentials,
    IMAGEGEN_URL_SIGNING_KEY: randomBytes(32).toString("base64"),
  };
  a = await startSystem(env);
  b = await startSystem(env);
  const created = await restClient(a)(a.adminKey, "POST", "/api/v2/admin/keys", { owner: "scale-s3", tier: "pro" });
  key = created.json.secret as string;
}, 180_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([postgres?.stop(), redis?.stop(), s3?.stop()]);
});

describe("two instances with image bytes in S3-compatible object storage", () => {
  it("serves through B the image and gallery thumbnail made on A, with no bytes in PostgreSQL or either data dir", async () => {
    const callA = restClient(a);
    const made = await callA(key, "POST", "/api/v2/generate/text-to-image", {
      prompt: "a lighthouse",
      model: "local",
      parameters: { width: 64, height: 64 },
    });
    expect(made.json.status, made.text).toBe("completed");
    const url = new URL(made.json.images[0].url);
    const image = await fetch(`${b.baseUrl}${url.pathname}${url.search}`);
    expect(image.status).toBe(200);
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    const added = await callA(key, "POST", "/api/v2/gallery/items", {
      image_id: made.json.images[0].id,
      title: "in S3",
    });
    expect(added.status, added.text).toBe(201);
    const thumbnail = new URL(added.json.item.thumbnail_url);
    expect((await fetch(`${b.baseUrl}${thumbnail.pathname}${thumbnail.search}`)).status).toBe(200);
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    expect(Number((await client.query("SELECT COUNT(*) AS n FROM image_blobs")).rows[0].n)).toBe(0);
    await client.end();
    for (const system of [a, b]) {
      const images = join(system.dataDir, "images");
      expect(existsSync(images) ? readdirSync(images) : []).toEqual([]);
    }
  });
});
