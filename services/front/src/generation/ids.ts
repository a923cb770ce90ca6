import { drawRandomBytes } from "@imagegen/server-kit";

/** A resource id: prefix + 24 url-safe random characters (144 bits, unguessable). */
export function newId(prefix: "gen" | "img" | "proc"): string {
  return `${prefix}_${drawRandomBytes(18).toString("base64url")}`;
}

/** A random uint32 seed, recorded so the caller can reproduce the images. */
export function randomSeed(): number {
  return drawRandomBytes(4).readUInt32BE(0);
}
