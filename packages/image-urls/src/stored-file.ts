import { join } from "node:path";

/** How many folders the files of stored images are spread over. */
export const STORED_FILE_SHARDS = 256;

/**
 * The file of a stored path ("<generation id>/<image id>.<ext>") under an images folder:
 * `<shard>/<generation id>.<image id>.<ext>`, the shard ("00".."ff") a hash of the generation id.
 * A folder per shard rather than per generation: each generation then costs the file system one
 * new inode instead of two, and creates spread over 256 directory locks instead of one (measured
 * in issue 19: a folder per generation made the blob writes the front's bottleneck). The front
 * writes here (blob-store.ts) and the gateway reads here (image-blobs.ts). The generation id never
 * holds a ".", so the name maps back to one stored path.
 */
export function storedFile(imagesDir: string, storedPath: string): string {
  const slash = storedPath.indexOf("/");
  const generationId = storedPath.slice(0, slash);
  return join(imagesDir, shardOf(generationId), `${generationId}.${storedPath.slice(slash + 1)}`);
}

/** The shard folder holding every file of a generation. */
export function generationShard(imagesDir: string, generationId: string): string {
  return join(imagesDir, shardOf(generationId));
}

/** Where versions before the shards kept a stored path: `<generation id>/<image id>.<ext>`. */
export function legacyStoredFile(imagesDir: string, storedPath: string): string {
  return join(imagesDir, storedPath);
}

// FNV-1a over the id's characters: ids are random, so any stable hash spreads them evenly.
function shardOf(generationId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < generationId.length; i++) {
    hash ^= generationId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % STORED_FILE_SHARDS).toString(16).padStart(2, "0");
}
