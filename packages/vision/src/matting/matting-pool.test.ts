import { describeError } from "@imagegen/errors";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createMattingPool } from "./matting-pool.ts";

// The queue discipline only: bytes that are no image answer in milliseconds (decode fails before
// the model is needed), so nothing here runs ISNet to the end.
const garbage = () => new TextEncoder().encode("not an image");

describe("background-removal pool queue", () => {
  it("refuses beyond its queue with RATE_LIMITED and a Retry-After, and answers the rest", async () => {
    const pool = createMattingPool({ maxQueued: 1 });
    try {
      const first = pool.removeBackground(garbage(), { format: "png" }).catch((e: unknown) => e);
      const second = pool.removeBackground(garbage(), { format: "png" }).catch((e: unknown) => e);
      const third = describeError(await pool.removeBackground(garbage(), { format: "png" }).catch((e: unknown) => e));
      expect([third.row.name, third.row.httpStatus]).toEqual(["RATE_LIMITED", 429]);
      expect(third.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(describeError(await first).row.name).toBe("INVALID_IMAGE");
      expect(describeError(await second).row.name).toBe("INVALID_IMAGE");
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("fails a request that outlasts its timeout with TIMEOUT, and the next one runs on a fresh worker", async () => {
    const pool = createMattingPool({ timeoutMs: 30_000 });
    try {
      // The photo's own bound (50 ms) is shorter than starting a worker and loading the model on any
      // machine, so it times out wherever the test runs (a pool-wide 3 s once did not on a fast one);
      // the next request, bytes that are no image, then gets its answer from a fresh worker.
      const photo = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: "#336699" } })
        .png()
        .toBuffer();
      const slow = pool.removeBackground(photo, { format: "png" }, { timeoutMs: 50 }).catch((e: unknown) => e);
      const next = pool.removeBackground(garbage(), { format: "png" }).catch((e: unknown) => e);
      const slowError = describeError(await slow);
      expect(slowError.row.name, slowError.message).toBe("TIMEOUT");
      expect(describeError(await next).row.name).toBe("INVALID_IMAGE");
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("answers a request whose caller gave up CANCELED at once, whether it waited or ran, and serves the next", async () => {
    const pool = createMattingPool({ maxQueued: 2 });
    try {
      const gone = new AbortController();
      gone.abort();
      const early = describeError(
        await pool.removeBackground(garbage(), { format: "png" }, { signal: gone.signal }).catch((e: unknown) => e),
      );
      expect(early.row.name).toBe("CANCELED");
      expect(pool.pending).toBe(0);

      const runningCaller = new AbortController();
      const waitingCaller = new AbortController();
      const running = pool
        .removeBackground(garbage(), { format: "png" }, { signal: runningCaller.signal })
        .catch((e: unknown) => e);
      const waiting = pool
        .removeBackground(garbage(), { format: "png" }, { signal: waitingCaller.signal })
        .catch((e: unknown) => e);
      const after = pool.removeBackground(garbage(), { format: "png" }).catch((e: unknown) => e);
      expect(pool.pending).toBe(3);
      // Both give up while the worker is still starting (it has not answered anyone yet).
      waitingCaller.abort();
      expect(pool.pending).toBe(2);
      runningCaller.abort();
      expect(describeError(await waiting).row.name).toBe("CANCELED");
      expect(describeError(await running).row.name).toBe("CANCELED");
      // The abandoned run finishes in the worker; the queue moves on after it.
      expect(describeError(await after).row.name).toBe("INVALID_IMAGE");
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
