/**
 * Deterministic randomness: a SHA-256 digest of the inputs seeds an sfc32
 * generator. Same key → same sequence on every machine (pure 32-bit integer
 * arithmetic, no Math.random, no platform floats beyond one exact division).
 */
import { createHash } from "node:crypto";

/** A seeded pseudo-random source. All methods advance the same stream. */
export type Rng = {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [min, max). */
  range(min: number, max: number): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
};

/**
 * SHA-256 of a list of parts, encoded unambiguously (JSON array), so
 * ["ab", "c"] and ["a", "bc"] never collide.
 */
export function digestOf(parts: readonly (string | number)[]): Buffer {
  return createHash("sha256").update(JSON.stringify(parts)).digest();
}

/**
 * An sfc32 generator seeded from `digest` (≥16 bytes). A `stream` label
 * derives an independent sequence from the same digest, so adding draws to
 * one stream never shifts another (e.g. extra detail layers do not move
 * the base composition).
 */
export function createRng(digest: Uint8Array, stream = ""): Rng {
  const key = stream === "" ? digest : createHash("sha256").update(digest).update(stream).digest();
  if (key.length < 16) throw new Error("createRng needs a digest of at least 16 bytes");
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  let a = view.getUint32(0, true);
  let b = view.getUint32(4, true);
  let c = view.getUint32(8, true);
  let d = view.getUint32(12, true);

  function nextUint32(): number {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  }
  // Warm up: sfc32 mixes poorly for the first few outputs.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;
  return {
    next,
    range: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error("pick from an empty array");
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}
