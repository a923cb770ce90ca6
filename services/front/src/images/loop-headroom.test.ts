import { describe, expect, it } from "vitest";
import { loopHasHeadroom } from "./loop-headroom.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("loop headroom", () => {
  it("is gone while the event loop stays busy and back once it idles", async () => {
    expect(loopHasHeadroom()).toBe(true);
    // Busy for 400 ms in 20 ms slices: the sampling timer still fires between them and finds
    // the loop running code nearly all of the time.
    let sawBusy = false;
    for (const until = Date.now() + 400; Date.now() < until; ) {
      for (const slice = Date.now() + 20; Date.now() < slice; );
      await new Promise((resolve) => setImmediate(resolve));
      sawBusy ||= !loopHasHeadroom();
    }
    expect(sawBusy).toBe(true);
    await pause(300);
    expect(loopHasHeadroom()).toBe(true);
  });
});
