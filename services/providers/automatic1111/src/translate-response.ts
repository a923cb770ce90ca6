/**
 * A1111 txt2img/img2img answer → our images. Pure. `info` is JSON inside a string; when the
 * server prepends a grid, `index_of_first_image` says where the real samples start, and
 * `all_seeds` gives each sample's seed.
 */
import { apiError, ErrorReason } from "@imagegen/errors";
import type { A1111Info, A1111Response } from "./wire-types.ts";

/** One rendered sample. */
export interface A1111Result {
  readonly data: Buffer;
  readonly seed?: number;
}

/** Reads a 200 body; a body without samples is UPSTREAM_BAD_RESPONSE, never zero images. */
export function translateA1111Response(body: unknown): A1111Result[] {
  if (typeof body !== "object" || body === null || !Array.isArray((body as A1111Response).images)) {
    throw badResponse("a body without an images list");
  }
  const { images, info } = body as A1111Response;
  const parsed = parseInfo(info);
  const first = Number.isInteger(parsed.index_of_first_image) ? Math.max(0, parsed.index_of_first_image!) : 0;
  const samples = images.slice(first);
  if (samples.length === 0 || samples.some((s) => typeof s !== "string" || s.length === 0)) {
    throw badResponse("no rendered image");
  }
  const seeds = Array.isArray(parsed.all_seeds) ? parsed.all_seeds : [];
  return samples.map((image, i) => {
    const seed = seeds[i];
    return { data: Buffer.from(stripDataPrefix(image), "base64"), seed: isSeed(seed) ? seed : undefined };
  });
}

// `info` is informative: an unreadable one costs us the seeds, not the images.
function parseInfo(info: unknown): A1111Info {
  if (typeof info !== "string") return {};
  try {
    const parsed = JSON.parse(info) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as A1111Info) : {};
  } catch {
    return {};
  }
}

function stripDataPrefix(image: string): string {
  return image.startsWith("data:") ? image.slice(image.indexOf(",") + 1) : image;
}

function isSeed(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function badResponse(what: string) {
  return apiError(ErrorReason.UPSTREAM_BAD_RESPONSE, `provider automatic1111 answered with ${what}`, {
    metadata: { provider: "automatic1111" },
  });
}
