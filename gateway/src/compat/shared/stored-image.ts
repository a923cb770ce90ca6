import { apiError, ErrorReason } from "@imagegen/errors";
import { checkImageUrl, IMAGE_PATH_PREFIX, isStoredImagePath } from "@imagegen/image-urls";
import type { ImageBlobReader } from "../../http/image-blobs.ts";

/**
 * The bytes behind one of our signed image URLs, read from the blob store the gateway serves
 * (never over HTTP to ourselves). Surfaces that answer base64 (OpenAI b64_json, seed
 * 002) use it; the signature is checked exactly as a GET of the URL would check it.
 */
export async function storedImageBytes(imageUrl: string, images: ImageBlobReader, signingKey: Buffer): Promise<Buffer> {
  const url = new URL(imageUrl);
  const stored = url.pathname.startsWith(IMAGE_PATH_PREFIX) ? url.pathname.slice(IMAGE_PATH_PREFIX.length) : "";
  if (!isStoredImagePath(stored)) throw apiError(ErrorReason.INTERNAL, "a generated image has an unexpected URL");
  const refusal = checkImageUrl(signingKey, url.pathname, url.searchParams.get("exp"), url.searchParams.get("sig"));
  if (refusal) throw apiError(ErrorReason.INTERNAL, "a generated image URL did not verify");
  const bytes = await images.read(stored);
  if (!bytes) throw apiError(ErrorReason.INTERNAL, "a generated image is missing from storage");
  return bytes;
}
