/**
 * Typed errors of the local image engine. Every failure caused by the
 * caller's input (bad bytes, too many pixels, bad arguments) is an
 * ImageError with a stable `code`, so a gateway can map it to a 4xx status
 * without parsing messages.
 */

/** The closed set of error codes the engine throws. */
export type ImageErrorCode = "INVALID_IMAGE" | "IMAGE_TOO_LARGE" | "INVALID_ARGUMENT";

/** Error thrown for caller-caused failures; `code` is stable, `message` is human-readable. */
export class ImageError extends Error {
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ImageError";
    this.code = code;
  }
}

/** True when `err` is an ImageError, optionally with the given code. */
export function isImageError(err: unknown, code?: ImageErrorCode): err is ImageError {
  return err instanceof ImageError && (code === undefined || err.code === code);
}

/** Throws INVALID_ARGUMENT unless `value` is an integer in [min, max]. */
export function requireInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ImageError("INVALID_ARGUMENT", `${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number in [min, max]. */
export function requireNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new ImageError("INVALID_ARGUMENT", `${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}
