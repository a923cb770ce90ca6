import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { signImageUrl } from "@imagegen/image-urls";

/**
 * Image bytes on disk under the data dir ("<images>/<generation>/<image>.<ext>"), written
 * atomically so the gateway never serves a half-written file. URLs are signed with the key the
 * gateway verifies.
 */
export class ImageStore {
  readonly dir: string;
  private readonly publicBaseUrl: string;
  private readonly signingKey: Buffer;

  constructor(dir: string, publicBaseUrl: string, signingKey: Buffer) {
    this.dir = dir;
    this.publicBaseUrl = publicBaseUrl;
    this.signingKey = signingKey;
  }

  /** Stores bytes and returns the relative path to record. */
  async put(generationId: string, imageId: string, extension: string, bytes: Uint8Array): Promise<string> {
    const path = `${generationId}/${imageId}.${extension}`;
    const file = join(this.dir, path);
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, file);
    return path;
  }

  /** The bytes of a stored path. */
  read(path: string): Promise<Buffer> {
    return readFile(join(this.dir, path));
  }

  /** A signed URL for a stored path, valid for a day. */
  url(path: string): string {
    return signImageUrl(this.publicBaseUrl, this.signingKey, path);
  }
}
