import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { PostgresDatabase } from "../store/postgres-database.ts";

/**
 * Where image bytes live, by stored path ("<generation id>/<image id>.<ext>"). Files under the
 * data dir on one machine; the shared PostgreSQL when DATABASE_URL is set, so replicas with
 * separate data dirs serve each other's images (the gateway reads the same table:
 * gateway/src/http/image-blobs.ts).
 */
export interface BlobStore {
  /** Stores bytes under `path`, whole or not at all (a reader never sees half an image). */
  put(path: string, bytes: Uint8Array): Promise<void>;
  /** The bytes at `path`; rejects when there are none. */
  get(path: string): Promise<Buffer>;
  /** Deletes every blob of a generation; nothing to delete is not an error. */
  removeGeneration(generationId: string): Promise<void>;
}

/** Files under a folder, each written to a temp name and renamed into place. */
export class FileBlobStore implements BlobStore {
  constructor(readonly dir: string) {}

  async put(path: string, bytes: Uint8Array): Promise<void> {
    const file = join(this.dir, path);
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, file);
  }

  get(path: string): Promise<Buffer> {
    return readFile(join(this.dir, path));
  }

  async removeGeneration(generationId: string): Promise<void> {
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
