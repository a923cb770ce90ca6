import sharp, { type Sharp } from "sharp";
import { apiError, ErrorReason } from "@imagegen/errors";
import type { Filter } from "@imagegen/proto/imagegen/v1/image_service_pb";

/** Raw RGBA pixels between steps, so a chain of filters never re-encodes in between. */
interface Pixels {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

export type OutputFormat = "png" | "jpg" | "webp";

export interface FilterResult {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
  readonly format: OutputFormat;
  /** The filter types applied, in order (seed 004's `filters_applied`). */
  readonly applied: string[];
}

/** The artistic styles an image library can do honestly, each a real pixel operation. */
export const ARTISTIC_STYLES = ["posterize", "oil_painting", "sketch", "vintage", "emboss"] as const;

const SEPIA: [[number, number, number], [number, number, number], [number, number, number]] = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
];

/**
 * Applies `filters` in the order given. sharp runs the operations of one pipeline in its own
 * fixed order, so each filter gets a pipeline of its own over raw pixels: the order the caller
 * wrote is the order that happens.
 */
export async function applyFilters(
  input: Buffer,
  filters: readonly Filter[],
  format: OutputFormat,
  maxPixels: number,
): Promise<FilterResult> {
  let pixels = await decode(sharp(input, { limitInputPixels: maxPixels }));
  for (const [index, filter] of filters.entries()) {
    pixels = await applyOne(pixels, filter, index);
  }
  const image = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 4 } });
  const bytes = await encode(image, format).toBuffer();
  return { bytes, width: pixels.width, height: pixels.height, format, applied: filters.map((f) => f.type) };
}

async function applyOne(pixels: Pixels, filter: Filter, index: number): Promise<Pixels> {
  const image = (): Sharp => sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 4 } });
  const value = filter.value ?? 1;
  const radius = filter.radius ?? 2;
  switch (filter.type) {
    case "brightness":
      return decode(image().modulate({ brightness: value }));
    case "saturation":
      return decode(image().modulate({ saturation: value }));
    case "contrast":
      // Scales around mid-grey: out = value * (in - 128) + 128.
      return decode(image().linear(value, 128 * (1 - value)));
    case "blur":
      return decode(image().blur(Math.max(0.3, radius / 2)));
    case "sharpen":
      return decode(image().sharpen({ sigma: Math.max(0.3, radius / 2) }));
    case "grayscale":
      return decode(image().grayscale().toColourspace("srgb"));
    case "sepia":
      return decode(image().recomb(SEPIA));
    case "invert":
      return decode(image().negate({ alpha: false }));
    case "artistic":
      return blend(pixels, await artistic(image, pixels, filter.style, index), filter.intensity ?? 1);
    default:
      throw apiError(ErrorReason.INVALID_REQUEST, `unknown filter type "${filter.type}"`, {
        fieldViolations: [{ field: `filters[${index}].type`, description: "unknown filter type", rule: "string.in" }],
      });
  }
}

async function artistic(image: () => Sharp, pixels: Pixels, style: string, index: number): Promise<Pixels> {
  switch (style) {
    case "posterize":
      return mapChannels(pixels, (v) => Math.round(v / 64) * 64 - (v >= 224 ? 1 : 0));
    case "oil_painting":
      // A median filter flattens detail into strokes of uniform colour.
      return decode(image().median(7));
    case "sketch":
      return decode(
        image()
          .grayscale()
          .convolve({ width: 3, height: 3, kernel: [-1, -1, -1, -1, 8, -1, -1, -1, -1] })
          .negate({ alpha: false })
          .toColourspace("srgb"),
      );
    case "vintage":
      return decode(image().recomb(SEPIA).modulate({ saturation: 0.8 }).linear(0.9, 12));
    case "emboss":
      return decode(
        image()
          .grayscale()
          .convolve({ width: 3, height: 3, kernel: [-2, -1, 0, -1, 1, 1, 0, 1, 2] })
          .toColourspace("srgb"),
      );
    default:
      throw apiError(ErrorReason.INVALID_REQUEST, `artistic style must be one of ${ARTISTIC_STYLES.join(", ")}`, {
        fieldViolations: [
          { field: `filters[${index}].style`, description: `one of ${ARTISTIC_STYLES.join(", ")}`, rule: "string.in" },
        ],
      });
  }
}

// intensity 0 keeps the input, 1 takes the effect; alpha is kept from the input.
function blend(base: Pixels, effect: Pixels, intensity: number): Pixels {
  if (intensity >= 1) return effect;
  const out = Buffer.alloc(base.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] =
      (i & 3) === 3
        ? (base.data[i] as number)
        : Math.round((base.data[i] as number) * (1 - intensity) + (effect.data[i] as number) * intensity);
  }
  return { ...base, data: out };
}

function mapChannels(pixels: Pixels, fn: (v: number) => number): Pixels {
  const out = Buffer.from(pixels.data);
  for (let i = 0; i < out.length; i++) if ((i & 3) !== 3) out[i] = Math.max(0, Math.min(255, fn(out[i] as number)));
  return { ...pixels, data: out };
}

async function decode(image: Sharp): Promise<Pixels> {
  try {
    const { data, info } = await image.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: toRgba(data, info.channels), width: info.width, height: info.height };
  } catch (error) {
    throw apiError(ErrorReason.INVALID_IMAGE, "the image could not be decoded", { cause: error });
  }
}

// Greyscale operations leave 2 channels (grey + alpha) in raw output: widen to RGBA.
function toRgba(data: Buffer, channels: number): Buffer {
  if (channels === 4) return data;
  const pixels = data.length / channels;
  const out = Buffer.alloc(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const grey = data[p * channels] as number;
    out[p * 4] = channels >= 3 ? (data[p * channels] as number) : grey;
    out[p * 4 + 1] = channels >= 3 ? (data[p * channels + 1] as number) : grey;
    out[p * 4 + 2] = channels >= 3 ? (data[p * channels + 2] as number) : grey;
    out[p * 4 + 3] = channels === 2 || channels === 4 ? (data[p * channels + channels - 1] as number) : 255;
  }
  return out;
}

function encode(image: Sharp, format: OutputFormat): Sharp {
  switch (format) {
    case "jpg":
      return image.flatten({ background: "#ffffff" }).jpeg({ quality: 90 });
    case "webp":
      return image.webp({ quality: 90 });
    default:
      return image.png();
  }
}
