import { randomFillSync } from "node:crypto";

/**
 * Random bytes from the CSPRNG, drawn in bulk: each `randomBytes(n)` call is a trip into the
 * kernel's generator, which for 4–18 bytes costs far more than the bytes themselves (≈ 60 ms of
 * CPU per 1,000 generations, issue 19). The pool is refilled 4 KiB at a time and every byte is
 * handed out once, so the draws are exactly as unpredictable as separate calls — the same scheme
 * as Node's own `crypto.randomUUID`. Draws are synchronous, so nothing can refill the pool while
 * a caller still reads its bytes.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let next = POOL_BYTES;

/**
 * `bytes` fresh random bytes, as a view into the pool: read them at once (toString, readUInt32BE)
 * and do not keep the view, since a later draw refills the pool underneath it.
 */
export function drawRandomBytes(bytes: number): Buffer {
  if (bytes > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes per draw`);
  if (next + bytes > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const view = pool.subarray(next, next + bytes);
  next += bytes;
  return view;
}
