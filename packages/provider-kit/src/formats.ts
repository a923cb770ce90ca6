import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";

/**
 * The contract's image formats by name and media type, in one place for every provider (and the
 * kit itself). Vendor-specific spellings (FLUX's "jpg") stay in their translators.
 */
export type FormatName = "png" | "jpeg" | "webp";

/** Name of each concrete format; UNSPECIFIED has none (a translator decides what it means). */
export const FORMAT_NAMES: Readonly<Partial<Record<Format, FormatName>>> = {
  [Format.PNG]: "png",
  [Format.JPEG]: "jpeg",
  [Format.WEBP]: "webp",
};

const BY_NAME: Readonly<Record<string, Format>> = { png: Format.PNG, jpeg: Format.JPEG, webp: Format.WEBP };

const MEDIA_TYPES: Readonly<Partial<Record<Format, string>>> = {
  [Format.PNG]: "image/png",
  [Format.JPEG]: "image/jpeg",
  [Format.WEBP]: "image/webp",
};

/** The name of a format, "png" when unspecified (the contract's default output). */
export function formatName(format: Format): FormatName {
  return FORMAT_NAMES[format] ?? "png";
}

/** The format named "png", "jpeg" or "webp"; undefined for any other name. */
export function formatOfName(name: string): Format | undefined {
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined;
}

/** The media type of a format, PNG's when unspecified. */
export function mediaTypeOf(format: Format): string {
  return MEDIA_TYPES[format] ?? "image/png";
}

/** The format of a media type ("image/png"); undefined for any other. */
export function formatOfMediaType(mediaType: string): Format | undefined {
  return formatOfName(/^image\/(png|jpeg|webp)$/.exec(mediaType.trim().toLowerCase())?.[1] ?? "");
}
