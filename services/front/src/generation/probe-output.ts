import { apiError, ErrorReason } from "@imagegen/errors";
import { readImageHeader } from "@imagegen/image-header";

const FORMATS = { png: "png", jpeg: "jpg", webp: "webp" } as const;

/** Largest result we keep: 8192² pixels, four times the biggest size any model is asked for. */
const MAX_OUTPUT_PIXELS = 8192 * 8192;

/**
 * Reads a provider's output image header: its true format and size. Anything that is not a
 * PNG, JPEG or WebP image is the provider's fault (UPSTREAM_BAD_RESPONSE), not a success.
 */
export function probeOutput(
  bytes: Uint8Array,
  provider: string,
): { format: "png" | "jpg" | "webp"; width: number; height: number } {
  const header = readImageHeader(bytes);
  if (header && header.width * header.height <= MAX_OUTPUT_PIXELS)
    return { format: FORMATS[header.format], width: header.width, height: header.height };
  throw apiError(
    ErrorReason.UPSTREAM_BAD_RESPONSE,
    `provider ${provider} returned something that is not a PNG, JPEG or WebP image of at most 8192² pixels`,
    {
      metadata: { provider },
    },
  );
}
