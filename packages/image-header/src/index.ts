/** What an encoded image's header says: its container format and its pixel size. */
export interface ImageHeader {
  readonly format: "png" | "jpeg" | "webp";
  readonly width: number;
  readonly height: number;
}

/**
 * Reads the format and pixel size of PNG, JPEG or WebP bytes from their headers alone, in plain
 * JS: for the result images every generation stores, this replaces a round trip to libvips'
 * thread pool (sharp's metadata()) with a few bounds-checked reads. Undefined for anything else,
 * including a header cut short or a zero size; it never throws and never decodes pixels, so
 * nothing here can be a decompression bomb. Bytes that pass are not proven decodable: callers
 * that decode (or forward) still meet the real decoder's checks.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const header = readPng(bytes) ?? readJpeg(bytes) ?? readWebp(bytes);
  return header && header.width > 0 && header.height > 0 ? header : undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// The first chunk of every PNG is IHDR: width and height as big-endian u32 at 16 and 20.
function readPng(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 24 || !PNG_SIGNATURE.every((byte, i) => b[i] === byte) || ascii(b, 12, 16) !== "IHDR")
    return undefined;
  return { format: "png", width: u32be(b, 16), height: u32be(b, 20) };
}

// Walks the marker segments up to the first start-of-frame (SOF0-SOF15 but DHT, JPG and DAC),
// whose payload is precision (1), height (2), width (2).
function readJpeg(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1] as number;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or scan data before any frame
    const length = u16be(b, at + 2);
    if (length < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 7 || at + 9 > b.length) return undefined;
      return { format: "jpeg", width: u16be(b, at + 7), height: u16be(b, at + 5) };
    }
    at += 2 + length;
  }
  return undefined;
}

// RIFF....WEBP then the first chunk: VP8X (extended: canvas size - 1 as u24le), VP8L (lossless:
// 14-bit sizes - 1 packed after the 0x2f signature) or "VP8 " (lossy: 14-bit sizes after the
// 9d 01 2a start code of a key frame).
function readWebp(b: Uint8Array): ImageHeader | undefined {
  if (b.length < 30 || ascii(b, 0, 4) !== "RIFF" || ascii(b, 8, 12) !== "WEBP") return undefined;
  const chunk = ascii(b, 12, 16);
  if (chunk === "VP8X") return { format: "webp", width: 1 + u24le(b, 24), height: 1 + u24le(b, 27) };
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) return undefined;
    const [b1, b2, b3, b4] = [b[21], b[22], b[23], b[24]] as [number, number, number, number];
    return {
      format: "webp",
      width: 1 + (b1 | ((b2 & 0x3f) << 8)),
      height: 1 + ((b2 >> 6) | (b3 << 2) | ((b4 & 0x0f) << 10)),
    };
  }
  if (chunk === "VP8 ") {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { format: "webp", width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  return undefined;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

function u16be(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 8) | (b[at + 1] as number);
}

function u16le(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

function u24le(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16);
}

function u32be(b: Uint8Array, at: number): number {
  return (
    (((b[at] as number) << 24) >>> 0) +
    (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
  );
}
