import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from "node:zlib";

type Decoder = (data: Buffer, options: ZlibOptions) => Promise<Buffer>;

const gunzipAsync = promisify(gunzip) as Decoder;
const inflateAsync = promisify(inflate) as Decoder;
const inflateRawAsync = promisify(inflateRaw) as Decoder;
const brotliAsync = promisify(brotliDecompress) as Decoder;

// Servers send "deflate" both as zlib data (the RFC) and raw: `fetch` reads both, so do we.
const inflateEither: Decoder = (data, options) =>
  inflateAsync(data, options).catch(() => inflateRawAsync(data, options));

const DECODERS: Record<string, Decoder> = {
  gzip: gunzipAsync,
  "x-gzip": gunzipAsync,
  deflate: inflateEither,
  br: brotliAsync,
};

/** The `accept-encoding` we send (what `fetch` sent): br only over https, as `fetch` did. */
export function acceptEncodingFor(url: URL): string {
  return url.protocol === "https:" ? "br, gzip, deflate" : "gzip, deflate";
}

/** Thrown when an answer decodes to more than its cap. */
export class DecodedTooLarge extends Error {}

/**
 * The body as the vendor meant it: `content-encoding` undone, last coding first, as `fetch`
 * decoded answers. A coding we do not know leaves the whole body as it is (so did `fetch`).
 * Throws DecodedTooLarge past `maxBytes`, or zlib's error for a body that does not decode.
 */
export async function decodeContent(body: Buffer, contentEncoding: string | null, maxBytes: number): Promise<Buffer> {
  if (!contentEncoding || body.length === 0) return body;
  const decoders = contentEncoding
    .toLowerCase()
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c && c !== "identity")
    .reverse()
    .map((coding) => DECODERS[coding]);
  if (decoders.some((decode) => decode === undefined)) return body;
  let out = body;
  for (const decode of decoders as Decoder[]) {
    try {
      out = await decode(out, { maxOutputLength: maxBytes });
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw new DecodedTooLarge();
      throw error;
    }
  }
  return out;
}
