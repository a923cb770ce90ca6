import { checkImageUrl, IMAGE_PATH_PREFIX, isStoredImagePath, signImageUrl } from "@imagegen/image-urls";
import { FileBlobStore, type BlobStore } from "./blob-store.ts";

// The only names put() creates: "<generation id>/<image id>.<ext>".
const GENERATION_DIR = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Stored images: names ("<generation>/<image>.<ext>"), bytes through the blob store (files
 * under the data dir, or the shared PostgreSQL), written whole so the gateway never serves half
 * an image. URLs are signed with the key every gateway verifies.
 */
export class ImageStore {
  private readonly blobs: BlobStore;
  private readonly publicBaseUrl: string;
  private readonly signingKey: Buffer;

  /** A folder keeps the bytes in files there (tests, one machine); open-blob-store.ts picks otherwise. */
  constructor(blobs: BlobStore | string, publicBaseUrl: string, signingKey: Buffer) {
    this.blobs = typeof blobs === "string" ? new FileBlobStore(blobs) : blobs;
    this.publicBaseUrl = publicBaseUrl;
    this.signingKey = signingKey;
  }

  /** Stores bytes and returns the relative path to record. */
  async put(generationId: string, imageId: string, extension: string, bytes: Uint8Array): Promise<string> {
    const path = `${generationId}/${imageId}.${extension}`;
    await this.blobs.put(path, bytes);
    return path;
  }

  /** Deletes every stored image of a generation (its folder); nothing to delete is not an error. */
  async removeGeneration(generationId: string): Promise<void> {
    if (!GENERATION_DIR.test(generationId)) throw new Error(`not a generation id: ${generationId}`);
    await this.blobs.removeGeneration(generationId);
  }

  /** The bytes of a stored path. */
  read(path: string): Promise<Buffer> {
    return this.blobs.get(path);
  }

  /**
   * The stored path behind one of our own signed URLs (same origin as the public base URL,
   * under /images/), so input images we served are read from disk instead of fetched over
   * HTTP. Undefined for any other URL; a URL of ours that does not verify is refused.
   */
  ownPath(raw: string): string | undefined {
    let url: URL;
    let base: URL;
    try {
      url = new URL(raw);
      base = new URL(this.publicBaseUrl);
    } catch {
      return undefined;
    }
    if (url.origin !== base.origin || !url.pathname.startsWith(IMAGE_PATH_PREFIX)) return undefined;
    const stored = url.pathname.slice(IMAGE_PATH_PREFIX.length);
    const refusal = checkImageUrl(
      this.signingKey,
      url.pathname,
      url.searchParams.get("exp"),
      url.searchParams.get("sig"),
    );
    if (refusal || !isStoredImagePath(stored)) throw new Error(refusal ?? "the image URL is malformed");
    return stored;
  }

  /** A signed URL for a stored path, valid for a day. */
  url(path: string): string {
    return signImageUrl(this.publicBaseUrl, this.signingKey, path);
  }
}
