import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Signed, expiring image URLs: the front signs, the gateway verifies, and nobody can list or
 * guess another owner's files. The signature covers the path and the expiry.
 *   /images/<generation>/<file>?exp=<unix seconds>&sig=<base64url HMAC-SHA256>
 */
export const IMAGE_PATH_PREFIX = "/images/";

/**
 * The only stored file paths there are: "<generation id>/<image id>.<ext>", as the front names
 * them. The front, the gateway's file server and its compat surfaces refuse anything else.
 */
export function isStoredImagePath(path: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,64}\.(png|jpg|jpeg|webp)$/.test(path);
}

/** How long a URL stays valid unless the caller says otherwise: a day, like a CDN link. */
export const DEFAULT_URL_TTL_SECONDS = 24 * 3600;

/** The HMAC key: IMAGEGEN_URL_SIGNING_KEY, or one generated once and kept in the data dir. */
export function loadSigningKey(dataDir: string): Buffer {
  const fromEnv = process.env.IMAGEGEN_URL_SIGNING_KEY;
  if (fromEnv) return Buffer.from(fromEnv, "utf8");
  const file = join(dataDir, "url-signing.key");
  try {
    return readFileSync(file);
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32);
    // "wx": if another process created it first, use theirs.
    try {
      writeFileSync(file, key, { flag: "wx", mode: 0o600 });
      return key;
    } catch {
      return readFileSync(file);
    }
  }
}

// createHmac() turns a Buffer key into a KeyObject on every call, which cost more than the HMAC
// itself for these short inputs; each signing key is converted once.
const keyObjects = new WeakMap<Buffer, KeyObject>();

function signature(key: Buffer, path: string, expires: number): string {
  let keyObject = keyObjects.get(key);
  if (!keyObject) keyObjects.set(key, (keyObject = createSecretKey(key)));
  return createHmac("sha256", keyObject).update(`${path}\n${expires}`).digest("base64url");
}

/** A full signed URL for a stored file path such as "gen_x/img_y.png". */
export function signImageUrl(
  publicBaseUrl: string,
  key: Buffer,
  storedPath: string,
  ttlSeconds = DEFAULT_URL_TTL_SECONDS,
): string {
  const path = IMAGE_PATH_PREFIX + storedPath;
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  return `${publicBaseUrl.replace(/\/$/, "")}${path}?exp=${expires}&sig=${signature(key, path, expires)}`;
}

/** Why a URL is refused, or undefined when it is valid now. */
export function checkImageUrl(key: Buffer, path: string, exp: string | null, sig: string | null): string | undefined {
  if (!exp || !sig) return "the image URL is not signed";
  const expires = Number(exp);
  if (!Number.isInteger(expires)) return "the image URL is malformed";
  if (expires < Date.now() / 1000) return "the image URL has expired";
  const expected = Buffer.from(signature(key, path, expires));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return "the image URL signature is invalid";
  return undefined;
}
