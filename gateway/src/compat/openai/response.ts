import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageFormat } from "@imagegen/proto/imagegen/v1/types_pb";
import type { ResponseFormat } from "./request.ts";

/** OpenAI's ImagesResponse as this gateway fills it. */
export interface ImagesResponse {
  created: number;
  data: Array<{ url: string } | { b64_json: string }>;
  output_format?: string;
  size?: string;
}

const FORMAT_NAMES: Record<number, string> = {
  [ImageFormat.PNG]: "png",
  [ImageFormat.JPG]: "jpeg",
  [ImageFormat.WEBP]: "webp",
};

/**
 * `created` is the generation's creation time in Unix seconds; `data[]` holds our signed URLs
 * or the bytes in base64. `usage` is omitted: no provider behind this gateway reports tokens.
 */
export async function renderImagesResponse(
  generation: Generation,
  responseFormat: ResponseFormat,
  bytesOf: (url: string) => Promise<Buffer>,
): Promise<ImagesResponse> {
  const created = Number(generation.createdAt?.seconds ?? BigInt(Math.floor(Date.now() / 1000)));
  const data = await Promise.all(
    generation.images.map(async (image) =>
      responseFormat === "url" ? { url: image.url } : { b64_json: (await bytesOf(image.url)).toString("base64") },
    ),
  );
  const first = generation.images[0];
  const out: ImagesResponse = { created, data };
  if (first) {
    out.output_format = FORMAT_NAMES[first.format] ?? "png";
    out.size = `${first.width}x${first.height}`;
  }
  return out;
}
