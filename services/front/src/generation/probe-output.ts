import sharp from "sharp";
import { apiError, ErrorReason } from "@imagegen/errors";

const FORMATS: Record<string, "png" | "jpg" | "webp"> = { png: "png", jpeg: "jpg", webp: "webp" };

/**
 * Reads a provider's output image header: its true format and size. Anything that is not a
 * PNG, JPEG or WebP image is the provider's fault (UPSTREAM_BAD_RESPONSE), not a success.
 */
export async function probeOutput(bytes: Uint8Array, provider: string): Promise<{ format: "png" | "jpg" | "webp"; width: number; height: number }> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: 8192 * 8192 }).metadata();
    const format = FORMATS[meta.format ?? ""];
    if (format && meta.width && meta.height) return { format, width: meta.width, height: meta.height };
  } catch {
    // fall through
  }
  throw apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, `provider ${provider} returned something that is not a PNG, JPEG or WebP image`, {
    metadata: { provider },
  });
}
