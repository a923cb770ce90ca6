import { apiError, ErrorReason } from "@imagegen/errors";
import { checkImageUrl, IMAGE_PATH_PREFIX, isStoredImagePath } from "@imagegen/image-urls";
import type { ImageBlobReader } from "./image-blobs.ts";
import { sendErrorEnvelope, type NodeRequest, type NodeResponse } from "./respond.ts";

const CONTENT_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
};

/** Serves stored images at signed, expiring URLs; anything else under /images/ is 404. */
export async function serveImage(
  req: NodeRequest,
  res: NodeResponse,
  url: URL,
  images: ImageBlobReader,
  key: Buffer,
): Promise<void> {
  const stored = url.pathname.slice(IMAGE_PATH_PREFIX.length);
  try {
    if (!isStoredImagePath(stored)) throw apiError(ErrorReason.NOT_FOUND, "no such image");
    const refusal = checkImageUrl(key, url.pathname, url.searchParams.get("exp"), url.searchParams.get("sig"));
    if (refusal) throw apiError(ErrorReason.FORBIDDEN, refusal);
    let found: { size: number; body: NodeJS.ReadableStream | Buffer } | undefined;
    try {
      if (images.stream) found = await images.stream(stored);
      else {
        const bytes = await images.read(stored);
        found = bytes && { size: bytes.length, body: bytes };
      }
    } catch {
      // The blob store (PostgreSQL, object storage) is away: a moment's outage, not a missing image.
      throw apiError(ErrorReason.UNAVAILABLE, "image storage is unavailable", { retryAfterSeconds: 1 });
    }
    if (!found) throw apiError(ErrorReason.NOT_FOUND, "no such image");
    const ext = stored.slice(stored.lastIndexOf(".") + 1);
    res.statusCode = 200;
    res.setHeader("content-type", CONTENT_TYPES[ext] ?? "application/octet-stream");
    res.setHeader("content-length", found.size);
    // Content never changes under a name; the URL's own expiry bounds the cache.
    res.setHeader("cache-control", "private, max-age=3600, immutable");
    res.setHeader("x-content-type-options", "nosniff");
    const { body } = found;
    if (Buffer.isBuffer(body)) {
      // From a database or object store: the whole image, in one write.
      if (req.method === "HEAD") res.end();
      else res.end(body);
    } else if (req.method === "HEAD") {
      (body as NodeJS.ReadableStream & { destroy(): void }).destroy();
      res.end();
    } else {
      body.on("error", () => res.destroy()).pipe(res as NodeJS.WritableStream);
    }
  } catch (error) {
    sendErrorEnvelope(req, res, error);
  }
}
