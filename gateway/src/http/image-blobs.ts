import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { normalize } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { s3LocationFromUrl, type S3Location } from "@imagegen/image-urls/s3-location";
import { legacyStoredFile, storedFile } from "@imagegen/image-urls/stored-file";
import pg from "pg";
import type { Logger } from "@imagegen/server-kit";

/**
 * Where the gateway reads the image bytes it serves, by stored path ("<gen id>/<image id>.<ext>",
 * already checked by the caller). The front writes them (services/front/src/images/blob-store.ts):
 * files under the data dir on one machine, the `image_blobs` table of the shared PostgreSQL when
 * the deployment has one, so any gateway replica serves any image without a shared volume.
 */
export interface ImageBlobReader {
  /** Where the bytes are read from, for the start-up log. */
  readonly kind: "files" | "postgres" | "s3";
  /** The bytes, or undefined when nothing is stored there. */
  read(path: string): Promise<Buffer | undefined>;
  /**
   * The bytes as a stream with their size, where the store can stream (files): a download then
   * never holds a whole image in memory. Absent: the caller reads the whole image.
   */
  stream?(path: string): Promise<{ size: number; body: NodeJS.ReadableStream } | undefined>;
  close(): Promise<void>;
}

/** The front's files (stored-file.ts's layout, then the per-generation folders of older versions). */
export function fileBlobReader(imagesDir: string): ImageBlobReader {
  const readOne = (file: string): Promise<Buffer | undefined> =>
    readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "EISDIR" || error.code === "ENOTDIR") return undefined;
      throw error;
    });
  const fileInfo = async (file: string) => {
    const info = await stat(file).catch(() => undefined);
    return info?.isFile() ? { file, size: info.size } : undefined;
  };
  return {
    kind: "files",
    async read(path) {
      return (await readOne(storedFile(imagesDir, path))) ?? readOne(legacyStoredFile(imagesDir, normalize(path)));
    },
    async stream(path) {
      const found =
        (await fileInfo(storedFile(imagesDir, path))) ?? (await fileInfo(legacyStoredFile(imagesDir, normalize(path))));
      return found && { size: found.size, body: createReadStream(found.file) };
    },
    async close() {},
  };
}

/**
 * Reads the front's `image_blobs` rows. Its own small pool: the gateway only ever runs this one
 * SELECT, so a read-only role (GRANT SELECT ON image_blobs) is all it needs (docs/sre.md).
 * While PostgreSQL is away the read rejects, and the caller answers 503.
 */
export function postgresBlobReader(connectionString: string, logger?: Logger): ImageBlobReader {
  const pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
  pool.on("error", (error) => logger?.warn("PostgreSQL closed an idle connection", { error: error.message }));
  return {
    kind: "postgres",
    async read(path) {
      const { rows } = await pool.query("SELECT bytes FROM image_blobs WHERE path = $1", [path]);
      return rows[0]?.bytes as Buffer | undefined;
    },
    close: () => pool.end(),
  };
}

/** Reads objects of the S3-compatible store the front writes to (IMAGEGEN_BLOB_URL). */
export function s3BlobReader(location: S3Location): ImageBlobReader {
  return {
    kind: "s3",
    async read(path) {
      try {
        const object = await location.client.send(
          new GetObjectCommand({ Bucket: location.bucket, Key: location.prefix + path }),
        );
        return Buffer.from(await object.Body!.transformToByteArray());
      } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey") return undefined;
        throw error;
      }
    },
    async close() {
      location.client.destroy();
    },
  };
}

/**
 * The reader matching where the front writes: object storage when IMAGEGEN_BLOB_URL is set;
 * else PostgreSQL when DATABASE_URL is set (or its read-only stand-in IMAGEGEN_BLOB_DATABASE_URL)
 * unless IMAGEGEN_BLOBS=files; else the folder.
 */
export function openBlobReader(
  imagesDir: string,
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): ImageBlobReader {
  const url = env.IMAGEGEN_BLOB_DATABASE_URL || env.DATABASE_URL;
  const choice = env.IMAGEGEN_BLOBS ?? "";
  if (choice !== "" && choice !== "files" && choice !== "postgres")
    throw new Error(`IMAGEGEN_BLOBS must be "files" or "postgres", not "${choice}"`);
  if (env.IMAGEGEN_BLOB_URL) return s3BlobReader(s3LocationFromUrl(env.IMAGEGEN_BLOB_URL));
  return url && choice !== "files" ? postgresBlobReader(url, logger) : fileBlobReader(imagesDir);
}
