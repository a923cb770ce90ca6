import { create } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import { Format, InputImageSchema, type InputImage } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import sharp, { type Metadata } from "sharp";
import { allowHostsFromEnv, FetchRefused, guardedFetch, type GuardedFetchOptions } from "../fetch/guarded-fetch.ts";
import type { ImageStore } from "../images/image-store.ts";

/** Where input images come from and how big they may be. */
export interface InputImageDeps {
  readonly images: ImageStore;
  readonly fetch: GuardedFetchOptions;
  /** Largest width × height accepted, checked on the header before any decoding. */
  readonly maxPixels: number;
}

const FORMATS: Record<string, Format> = { png: Format.PNG, jpeg: Format.JPEG, webp: Format.WEBP };

/**
 * Turns an input image as the API accepts it — a data: URL, raw base64, one of our signed image
 * URLs (read from the store, never fetched), or a public http(s) URL (through the SSRF guard) —
 * into checked provider bytes. The header is probed against the pixel limit before anything is
 * decoded, so a decompression bomb costs a header read. Every failure is INVALID_IMAGE on `field`.
 */
export async function resolveInputImage(value: string, field: string, deps: InputImageDeps): Promise<InputImage> {
  const refuse = (why: string) =>
    apiError(ErrorReason.INVALID_IMAGE, `${field}: ${why}`, {
      fieldViolations: [{ field, description: why, rule: "image" }],
    });
  const bytes = await loadBytes(value.trim(), deps).catch((error: unknown) => {
    throw refuse(
      error instanceof FetchRefused || error instanceof InputError ? error.message : "the image could not be read",
    );
  });
  let meta: Metadata;
  try {
    // Header only: the limit below is ours, with a precise message.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw refuse("not a readable PNG, JPEG or WebP image");
  }
  const format = FORMATS[meta.format ?? ""];
  if (format === undefined) throw refuse(`${meta.format ?? "unknown"} images are not accepted; send PNG, JPEG or WebP`);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 1 || height < 1) throw refuse("the image has no dimensions");
  if (width * height > deps.maxPixels)
    throw refuse(`the image is ${width}x${height}, more than ${deps.maxPixels} pixels`);
  return create(InputImageSchema, { data: bytes, format, width, height });
}

class InputError extends Error {}

async function loadBytes(value: string, deps: InputImageDeps): Promise<Buffer> {
  const data = /^data:([\w.+/-]*)((?:;[\w=.+-]+)*),/i.exec(value);
  if (data) {
    if (!/;base64$/i.test(data[2] ?? "")) throw new InputError("data: URLs must be base64-encoded");
    return decodeBase64(value.slice(data[0].length));
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    let own: string | undefined;
    try {
      own = deps.images.ownPath(value);
    } catch (error) {
      throw new InputError(error instanceof Error ? error.message : "the image URL does not verify");
    }
    if (own !== undefined)
      return deps.images.read(own).catch(() => Promise.reject(new InputError("the image no longer exists")));
    return (await guardedFetch(value, deps.fetch)).bytes;
  }
  return decodeBase64(value);
}

function decodeBase64(text: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(compact)) throw new InputError("not a URL, a data: URL or base64");
  return Buffer.from(compact, "base64");
}

/**
 * Input-image bounds from the environment: IMAGEGEN_MAX_INPUT_PIXELS (default 4096×4096),
 * IMAGEGEN_FETCH_MAX_BYTES (32 MiB), IMAGEGEN_FETCH_TIMEOUT_MS (15 s), IMAGEGEN_FETCH_ALLOW_HOSTS.
 */
export function inputImageDepsFromEnv(images: ImageStore, env: NodeJS.ProcessEnv = process.env): InputImageDeps {
  return {
    images,
    maxPixels: Number(env.IMAGEGEN_MAX_INPUT_PIXELS ?? 4096 * 4096),
    fetch: {
      maxBytes: Number(env.IMAGEGEN_FETCH_MAX_BYTES ?? 32 * 1024 * 1024),
      timeoutMs: Number(env.IMAGEGEN_FETCH_TIMEOUT_MS ?? 15_000),
      maxRedirects: 3,
      allowHosts: allowHostsFromEnv(env),
    },
  };
}
