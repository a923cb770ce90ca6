import sharp, { type OutputInfo } from "sharp";
import { UndecodableImageError } from "../worker/decode-rgb.ts";
import { isnetMatte } from "./isnet-matte.ts";
import { encodeCutout } from "./encode-cutout.ts";
import { type MatteOptions, refineMatte } from "./refine-matte.ts";

/** Output encodings of background removal: both keep an alpha channel. */
export type CutoutFormat = "png" | "webp";

export interface RemoveBackgroundOptions extends MatteOptions {
  readonly format: CutoutFormat;
  readonly quality?: number;
  /** `#rrggbb`: lay the cut-out on this colour (mode "replace") instead of leaving it transparent. */
  readonly replaceWithColor?: string;
}

/** The result: the encoded image and the matte that made it (one byte per pixel). */
export interface Cutout {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly matte: Uint8Array;
}

/** Largest input decoded: far above the provider's own pixel limit, a guard against decompression bombs. */
const MAX_INPUT_PIXELS = 8192 * 8192;

/** Decodes, segments with ISNet, shapes the matte and encodes the cut-out (or the replaced background). */
export async function removeBackgroundWithIsnet(bytes: Uint8Array, options: RemoveBackgroundOptions): Promise<Cutout> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .flatten({ background: "#ffffff" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new UndecodableImageError(`not a decodable image: ${(error as Error).message}`);
  }
  const { width, height } = decoded.info;
  const rgb = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length);
  const matte = await refineMatte(await isnetMatte(rgb, width, height), options);
  const encoded = await encodeCutout(rgb, matte.data, width, height, options);
  return {
    bytes: new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.length),
    width,
    height,
    matte: matte.data,
  };
}
