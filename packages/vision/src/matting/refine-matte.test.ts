import { describe, expect, it } from "vitest";
import { refineMatte } from "./refine-matte.ts";

// A 6×1 matte: a soft ramp from background to foreground.
const ramp = { data: Uint8Array.from([0, 30, 90, 150, 220, 255]), width: 6, height: 1 };

describe("refineMatte", () => {
  it("leaves the matte alone without options", async () => {
    expect([...(await refineMatte(ramp, {})).data]).toEqual([...ramp.data]);
  });

  it("cuts values below foreground_threshold to 0 and keeps the rest as they are", async () => {
    expect([...(await refineMatte(ramp, { foregroundThreshold: 0.5 })).data]).toEqual([0, 0, 0, 150, 220, 255]);
  });

  it("edge_smoothing softens a hard edge without moving it", async () => {
    const hard = { data: Uint8Array.from([0, 0, 0, 0, 255, 255, 255, 255]), width: 8, height: 1 };
    const soft = [...(await refineMatte(hard, { edgeSmoothing: true })).data];
    expect(soft[3]).toBeGreaterThan(0);
    expect(soft[4]).toBeLessThan(255);
    expect(soft[0]).toBe(0);
    expect(soft[7]).toBe(255);
  });
});
