/**
 * Fixtures and measurements shared by the render tests (not used at runtime):
 * hand-crafted image headers and small sharp-based probes.
 */
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk with a correct CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A structurally valid PNG whose IHDR declares width×height RGB 8-bit (valid
 * CRCs) but whose IDAT holds only a few bytes: a "decompression bomb" header.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.alloc(16))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A copy of a baseline JPEG with its SOF0 frame header rewritten to declare width×height. */
export function jpegDeclaring(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length; ) {
    if (out[i] !== 0xff) throw new Error("not at a JPEG marker");
    const marker = out[i + 1] as number;
    const length = out.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error("no SOF marker found");
}

/** Mean R, G, B of an encoded image (alpha ignored). */
export async function meanRgb(bytes: Buffer): Promise<[number, number, number]> {
  const { channels } = await sharp(bytes).stats();
  return [channels[0]?.mean ?? NaN, channels[1]?.mean ?? NaN, channels[2]?.mean ?? NaN];
}

/** Decoded RGBA pixels of an encoded image. */
export async function rgba(bytes: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute per-channel difference of two encoded images of equal size (RGBA, 0..255). */
export async function meanAbsDiff(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([rgba(a), rgba(b)]);
  if (x.width !== y.width || x.height !== y.height) throw new Error("size mismatch");
  let sum = 0;
  for (let i = 0; i < x.data.length; i++) sum += Math.abs((x.data[i] as number) - (y.data[i] as number));
  return sum / x.data.length;
}

/** A solid-background test picture (w×h) with a filled circle in the middle. */
export function circleOnBackground(w: number, h: number, background: string, fill: string): Promise<Buffer> {
  const r = Math.min(w, h) / 4;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="${background}"/><circle cx="${w / 2}" cy="${h / 2}" r="${r}" fill="${fill}"/></svg>`;
  return sharp(Buffer.from(svg)).removeAlpha().png().toBuffer();
}
