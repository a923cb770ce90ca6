import { ConnectError } from "@connectrpc/connect";
import { describeError } from "@imagegen/errors";
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVisionPool, type VisionPool } from "./index.ts";

// Real models on real (free-licence) photographs: see fixtures/README.md. Nothing is downloaded.
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const ALL = { nsfw: true, objects: true, faces: true };

describe("offline vision models", () => {
  let pool: VisionPool;
  beforeAll(async () => {
    pool = createVisionPool();
    // First use loads the three models (seconds; more on a busy machine).
    await pool.analyze(fixture("coffee-cup.jpg"), ALL);
  }, 120_000);
  afterAll(() => pool.close());

  it("counts one face on a portrait, lists a person, and scores it benign", async () => {
    const a = await pool.analyze(fixture("astronaut.jpg"), ALL);
    expect(a.faces).toBe(1);
    expect(a.objects?.map((o) => o.label)).toContain("person");
    expect(a.nsfwScore).toBeLessThan(0.3);
  });

  it("lists a cat in a photo of a cat, with no face and a benign score", async () => {
    const a = await pool.analyze(fixture("chelsea-cat-framed.jpg"), ALL);
    expect(a.objects?.map((o) => o.label)).toContain("cat");
    expect(a.faces).toBe(0);
    expect(a.nsfwScore).toBeLessThan(0.3);
  });

  it("lists a cup in a photo of a coffee cup, every label at or above 0.4", async () => {
    const a = await pool.analyze(fixture("coffee-cup.jpg"), ALL);
    expect(a.objects?.map((o) => o.label)).toContain("cup");
    expect(a.objects?.every((o) => o.score >= 0.4)).toBe(true);
    expect(a.faces).toBe(0);
    expect(a.nsfwScore).toBeLessThan(0.3);
  });

  it("runs only the asked-for models", async () => {
    const a = await pool.analyze(fixture("coffee-cup.jpg"), { nsfw: true });
    expect(a.nsfwScore).toBeTypeOf("number");
    expect(a.objects).toBeUndefined();
    expect(a.faces).toBeUndefined();
  });

  it("answers INVALID_IMAGE for bytes that are not an image, and keeps serving", async () => {
    const error = await pool.analyze(new TextEncoder().encode("not an image"), ALL).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("INVALID_IMAGE");
    expect((await pool.analyze(fixture("coffee-cup.jpg"), { faces: true })).faces).toBe(0);
  });
});

describe("vision pool queue", () => {
  it("refuses beyond its queue with RATE_LIMITED and a Retry-After", async () => {
    const pool = createVisionPool({ maxQueued: 1 });
    try {
      const bytes = fixture("coffee-cup.jpg");
      // The first runs (loading the decoder only: no model task), the second waits, the third is refused.
      const first = pool.analyze(bytes, {});
      const second = pool.analyze(bytes, {});
      const third = await pool.analyze(bytes, {}).catch((e: unknown) => e);
      expect(third).toBeInstanceOf(ConnectError);
      const described = describeError(third);
      expect(described.row.name).toBe("RATE_LIMITED");
      expect(described.row.httpStatus).toBe(429);
      expect(described.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      await expect(first).resolves.toMatchObject({ workerMs: expect.any(Number) });
      await expect(second).resolves.toMatchObject({ workerMs: expect.any(Number) });
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("fails a request that outlasts its timeout with TIMEOUT, and the next one runs on a fresh worker", async () => {
    const pool = createVisionPool({ timeoutMs: 3_000 });
    try {
      // A 1024² ×4 super-resolution takes over a minute; a decode-only analysis takes milliseconds.
      const huge = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: "#336699" } })
        .png()
        .toBuffer();
      const slow = pool.upscale(huge, { scale: 4, format: "png" });
      const next = pool.analyze(fixture("coffee-cup.jpg"), {});
      expect(describeError(await slow.catch((e: unknown) => e)).row.name).toBe("TIMEOUT");
      await expect(next).resolves.toMatchObject({ workerMs: expect.any(Number) });
    } finally {
      await pool.close();
    }
  }, 30_000);

  it("answers a request whose caller gave up CANCELED at once, whether it waited or ran, and serves the next", async () => {
    const pool = createVisionPool({ maxQueued: 2 });
    try {
      const bytes = fixture("coffee-cup.jpg");
      const gone = new AbortController();
      gone.abort();
      const early = await pool.analyze(bytes, {}, { signal: gone.signal }).catch((e: unknown) => e);
      expect(describeError(early).row.name).toBe("CANCELED");
      expect(pool.pending).toBe(0);

      const runningCaller = new AbortController();
      const waitingCaller = new AbortController();
      const running = pool.analyze(bytes, {}, { signal: runningCaller.signal }).catch((e: unknown) => e);
      const waiting = pool
        .upscale(bytes, { scale: 2, format: "png" }, { signal: waitingCaller.signal })
        .catch((e: unknown) => e);
      const after = pool.analyze(bytes, {});
      expect(pool.pending).toBe(3);
      // Both give up while the worker is still starting (it has not answered anyone yet).
      waitingCaller.abort();
      expect(pool.pending).toBe(2);
      runningCaller.abort();
      expect(describeError(await waiting).row.name).toBe("CANCELED");
      expect(describeError(await running).row.name).toBe("CANCELED");
      // The abandoned run finishes in the worker; the queue moves on after it.
      await expect(after).resolves.toMatchObject({ workerMs: expect.any(Number) });
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
