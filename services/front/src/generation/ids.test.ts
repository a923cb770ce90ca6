import { describe, expect, it } from "vitest";
import { newId, randomSeed } from "./ids.ts";
import { drawRandomBytes } from "@imagegen/server-kit";

describe("ids and seeds from the pooled CSPRNG", () => {
  it("keeps the id format: prefix + 24 url-safe characters", () => {
    for (const prefix of ["gen", "img", "proc"] as const)
      expect(newId(prefix)).toMatch(new RegExp(`^${prefix}_[A-Za-z0-9_-]{24}$`));
  });

  it("never hands out the same bytes twice, across many pool refills and mixed draw sizes", () => {
    const ids = new Set<string>();
    const seeds = new Set<number>();
    // 20,000 ids of 18 bytes and as many seeds of 4 ≈ 440 KB: about a hundred refills of the
    // 4 KiB pool, with draws that do not divide it evenly (a draw never straddles a refill).
    for (let i = 0; i < 20_000; i++) {
      const id = newId("gen");
      expect(id).toHaveLength(28);
      ids.add(id);
      seeds.add(randomSeed());
    }
    expect(ids.size).toBe(20_000);
    // 20,000 uint32 draws collide with probability ≈ 5 %: allow a handful, not a repeated pool.
    expect(seeds.size).toBeGreaterThan(19_990);
  });

  it("gives seeds over the whole uint32 range", () => {
    const seeds = Array.from({ length: 2_000 }, randomSeed);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff)).toBe(true);
    expect(Math.max(...seeds)).toBeGreaterThan(0xf0000000);
    expect(Math.min(...seeds)).toBeLessThan(0x10000000);
  });

  it("draws fresh bytes whose bits are balanced (not a zeroed or stuck pool)", () => {
    let ones = 0;
    const draws = 1_000;
    for (let i = 0; i < draws; i++) for (const byte of drawRandomBytes(16)) ones += popcount(byte);
    // 128,000 fair bits: mean 64,000, standard deviation ≈ 179; ±1,500 is > 8 sigma.
    expect(Math.abs(ones - draws * 64)).toBeLessThan(1_500);
  });

  it("refuses a draw larger than the pool instead of handing out short or reused bytes", () => {
    expect(() => drawRandomBytes(4097)).toThrow(RangeError);
  });
});

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b; b >>= 1) n += b & 1;
  return n;
}
