import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { S3Location } from "@imagegen/image-urls/s3-location";
import { generationShard, legacyStoredFile, storedFile } from "@imagegen/image-urls/stored-file";
import type { PostgresDatabase } from "../store/postgres-database.ts";
import { writeImageFile } from "./write-image-file.ts";

/**
 * Where image bytes live, by stored path ("<generation id>/<image id>.<ext>"). Files under the
 * data dir on one machine; the shared PostgreSQL when DATABASE_URL is set, so replicas with
 * separate data dirs serve each other's images; S3-compatible object storage when
 * IMAGEGEN_BLOB_URL is set (the gateway reads from the same place: gateway/src/http/image-blobs.ts).
 */
export interface BlobStore {
  /** Where the bytes live, for the start-up log. */
  readonly kind: "files" | "postgres" | "s3";
  /** Stores bytes under `path`, whole or not at all (a reader never sees half an image). */
  put(path: string, bytes: Uint8Array): Promise<void>;
  /** The bytes at `path`; rejects when there are none. */
  get(path: string): Promise<Buffer>;
  /** Deletes every blob of a generation; nothing to delete is not an error. */
  removeGeneration(generationId: string): Promise<void>;
}

/**
 * Files under a folder (stored-file.ts: 256 shard folders, not one per generation), each written
 * to a temp name and renamed into place (write-image-file.ts). Files of versions before the
 * shards, one folder per generation, are still read and removed.
 */
export class FileBlobStore implements BlobStore {
  readonly kind = "files";
  // At most STORED_FILE_SHARDS entries: a shard folder, once made, stays.
  private readonly madeDirs = new Set<string>();

  constructor(readonly dir: string) {}

  async put(path: string, bytes: Uint8Array): Promise<void> {
    const file = storedFile(this.dir, path);
    const folder = dirname(file);
    if (!this.madeDirs.has(folder)) await this.makeDir(folder);
    try {
      await writeImageFile(file, bytes);
    } catch (error) {
      // A folder removed behind our back (another process, an operator): make it again, once.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await this.makeDir(folder);
      await writeImageFile(file, bytes);
    }
  }

  private async makeDir(folder: string): Promise<void> {
    await mkdir(folder, { recursive: true });
    this.madeDirs.add(folder);
  }

  async get(path: string): Promise<Buffer> {
    try {
      return await readFile(storedFile(this.dir, path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return readFile(legacyStoredFile(this.dir, path));
    }
  }

  async removeGeneration(generationId: string): Promise<void> {
    // A generation's files share its shard folder and start with its id and a dot (stored-file.ts).
    const shard = generationShard(this.dir, generationId);
    const names = await readdir(shard).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    const prefix = `${generationId}.`;
    await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(shard, n), { force: true })));
    await rm(join(this.dir, generationId), { recursive: true, force: true });
  }
}

/** The `image_blobs` table's step of POSTGRES_MIGRATIONS. */
export const POSTGRES_IMAGE_BLOBS_TABLE = `
  CREATE TABLE image_blobs (
    path TEXT PRIMARY KEY, generation_id TEXT NOT NULL, bytes BYTEA NOT NULL, created_at BIGINT NOT NULL);
  CREATE INDEX image_blobs_generation ON image_blobs (generation_id);`;

/**
 * Blobs as rows of the shared PostgreSQL (bytea). Enough for images of a few MB at moderate
 * volume (docs/sre.md sizes it); an object store is the step beyond.
 */
export class PostgresBlobStore implements BlobStore {
  readonly kind = "postgres";

  constructor(private readonly db: PostgresDatabase) {}

  async put(path: string, bytes: Uint8Array): Promise<void> {
    const generationId = path.slice(0, path.indexOf("/"));
    // A put of the same path again replaces it, as a file rename would.
    await this.db.query(
      "INSERT INTO image_blobs VALUES ($1, $2, $3, $4) ON CONFLICT (path) DO UPDATE SET bytes = excluded.bytes, created_at = excluded.created_at",
      [path, generationId, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), Date.now()],
    );
  }

  async get(path: string): Promise<Buffer> {
    const { rows } = await this.db.query("SELECT bytes FROM image_blobs WHERE path = $1", [path]);
    if (!rows[0]) throw new Error(`no stored image at ${path}`);
    return rows[0].bytes as Buffer;
  }

  async removeGeneration(generationId: string): Promise<void> {
    await this.db.query("DELETE FROM image_blobs WHERE generation_id = $1", [generationId]);
  }
}

/**
 * Blobs as objects of an S3-compatible store (IMAGEGEN_BLOB_URL), for deployments whose images
 * outgrow PostgreSQL. Keys are the stored paths under the URL's prefix.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = "s3";

  constructor(private readonly location: S3Location) {}

  async put(path: string, bytes: Uint8Array): Promise<void> {
    const { client, bucket, prefix } = this.location;
    // One PUT: the object appears whole or not at all.
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: prefix + path, Body: bytes, ContentLength: bytes.byteLength }),
    );
  }

  async get(path: string): Promise<Buffer> {
    const { client, bucket, prefix } = this.location;
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + path }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async removeGeneration(generationId: string): Promise<void> {
    const { client, bucket, prefix } = this.location;
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${generationId}/` }));
    // One DELETE per object (a generation has a handful): multi-object delete needs a Content-MD5
    // that not every S3-compatible server accepts in the SDK's newer checksum form.
    for (const object of listed.Contents ?? [])
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }));
  }
}
