import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ErrorReason } from "@imagegen/errors";
import { generationShard } from "@imagegen/image-urls/stored-file";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeProvider } from "./fake-provider.ts";
import { startHeld, startInMemoryFront, type InMemoryFront } from "./in-memory-front.ts";

// A failed or canceled generation leaves nothing behind (no images listed, stored or counted)
// and does not hold its Idempotency-Key: "please retry" works with the same key.
const bfl = createFakeProvider({ id: "bfl", models: { "flux-pro-1.1": {} } });
let seed = 0;
const request = () => ({
  prompt: "a lighthouse",
  model: "flux-pro-1.1",
  parameters: { width: 64, height: 64, numOutputs: 3, seed: ++seed },
});
let front: InMemoryFront;
beforeAll(async () => {
  front = await startInMemoryFront({ providers: [bfl] });
});
afterAll(() => front?.close());

async function settled(id: string): Promise<Generation> {
  await front.app.drain(5_000);
  return front.images.getGeneration({ id });
}

/** The files a generation has under the data dir (stored-file.ts: named after it in its shard folder). */
function storedFilesOf(dataDir: string, id: string): string[] {
  const shard = generationShard(join(dataDir, "images"), id);
  return existsSync(shard) ? readdirSync(shard).filter((name) => name.startsWith(`${id}.`)) : [];
}

/** What the lease sweeper writes when a process could not renew a generation's lease in time. */
function failAsInterrupted(dataDir: string, id: string): void {
  const db = new DatabaseSync(join(dataDir, "imagegen.sqlite"));
  try {
    db.prepare("UPDATE generations SET status = 'failed', error_reason = 'GENERATION_FAILED' WHERE id = ?").run(id);
  } finally {
    db.close();
  }
}

/** A generation's image rows: what lists it and counts as its owner's storage (storage_used_mb rounds these tiny test images to 0). */
function imageRowsOf(dataDir: string, id: string): number {
  const db = new DatabaseSync(join(dataDir, "imagegen.sqlite"));
  try {
    return Number((db.prepare("SELECT COUNT(*) AS n FROM images WHERE generation_id = ?").get(id) as { n: number }).n);
  } finally {
    db.close();
  }
}

describe("partial results", () => {
  it.each([
    {
      name: "a provider failing after the first image",
      run: async () => {
        bfl.script({ kind: "partial-then-error", reason: ErrorReason.UPSTREAM_UNAVAILABLE });
        const error = await front.images.textToImage(request()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        return (await front.images.listGenerations({ pageSize: 1 })).generations[0]!.id;
      },
      status: GenerationStatus.FAILED,
    },
    {
      name: "a cancel after the first image",
      run: async () => {
        const pending = await startHeld(front, bfl, request(), { images: 1 });
        await front.images.cancelGeneration({ id: pending.id });
        return pending.id;
      },
      status: GenerationStatus.CANCELED,
    },
    {
      name: "a generation failed as interrupted (the lease sweeper) while its provider still finished",
      run: async () => {
        const pending = await startHeld(front, bfl, request(), { images: 1 });
        failAsInterrupted(front.dataDir, pending.id);
        bfl.release();
        return pending.id;
      },
      status: GenerationStatus.FAILED,
    },
  ])("$name: the stored image is deleted, never listed or counted", async ({ run, status }) => {
    const id = await run();
    const generation = await settled(id);
    expect(generation.status).toBe(status);
    expect(generation.images).toEqual([]);
    expect(generation.cost?.credits ?? 0).toBe(0);
    expect(storedFilesOf(front.dataDir, id)).toEqual([]);
    expect(imageRowsOf(front.dataDir, id)).toBe(0);
  });
});

describe("partial results of a job answered in one call", () => {
  // Its images come with the answer and are recorded with the completion, in one commit.
  const unaryBfl = createFakeProvider({ id: "bfl", unary: true, models: { "flux-pro-1.1": { progress: false } } });
  let unaryFront: InMemoryFront;
  beforeAll(async () => {
    unaryFront = await startInMemoryFront({ providers: [unaryBfl] });
  });
  afterAll(() => unaryFront?.close());

  it("failed as interrupted while its provider still answered: the answer's images are stored nowhere", async () => {
    unaryBfl.script({ kind: "hold" });
    const pending = await unaryFront.images.textToImage(request(), { headers: { prefer: "respond-async" } });
    failAsInterrupted(unaryFront.dataDir, pending.id);
    unaryBfl.release();
    await unaryFront.app.drain(5_000);
    const generation = await unaryFront.images.getGeneration({ id: pending.id });
    expect(generation.status).toBe(GenerationStatus.FAILED);
    expect(generation.images).toEqual([]);
    expect(unaryBfl.unaryCalls()).toBe(1);
    expect(storedFilesOf(unaryFront.dataDir, pending.id)).toEqual([]);
    expect(imageRowsOf(unaryFront.dataDir, pending.id)).toBe(0);
  });

  it("completed: its images are listed with the generation, and counted", async () => {
    const generation = await unaryFront.images.textToImage(request());
    expect(generation.status).toBe(GenerationStatus.COMPLETED);
    expect(generation.images).toHaveLength(3);
    expect((await unaryFront.images.getGeneration({ id: generation.id })).images).toEqual(generation.images);
    expect(imageRowsOf(unaryFront.dataDir, generation.id)).toBe(3);
  });
});

describe("the Idempotency-Key after a failure", () => {
  const withKey = (key: string) => ({ headers: { "idempotency-key": key } });

  it("is taken over by a retry, which runs anew and completes", async () => {
    const body = request();
    bfl.script({ kind: "error", reason: ErrorReason.UPSTREAM_UNAVAILABLE });
    await expect(front.images.textToImage(body, withKey("order-1"))).rejects.toThrow();
    const failed = (await front.images.listGenerations({ pageSize: 1 })).generations[0]!;
    expect(failed.status).toBe(GenerationStatus.FAILED);
    const retried = await front.images.textToImage(body, withKey("order-1"));
    expect(retried.id).not.toBe(failed.id);
    expect(retried.status).toBe(GenerationStatus.COMPLETED);
    // And from now on the key answers with the generation that completed.
    expect((await front.images.textToImage(body, withKey("order-1"))).id).toBe(retried.id);
  });

  it("is taken over after a cancel too, but still replays a generation that is running", async () => {
    const body = request();
    const pending = await startHeld(front, bfl, body, { headers: { "idempotency-key": "order-2" } });
    // A replay waits for a running generation like the first call would; asked not to wait, it
    // answers at once with the same generation, still running.
    const replay = await front.images.textToImage(body, {
      headers: { "idempotency-key": "order-2", prefer: "respond-async" },
    });
    expect([replay.id, replay.status]).toEqual([pending.id, GenerationStatus.PROCESSING]);
    await front.images.cancelGeneration({ id: pending.id });
    const retried = await front.images.textToImage(body, withKey("order-2"));
    expect([retried.id === pending.id, retried.status]).toEqual([false, GenerationStatus.COMPLETED]);
  });
});
