import { describeError } from "@imagegen/errors";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeProvider } from "./fake-provider.ts";
import { startHeld, startInMemoryFront, type InMemoryFront } from "./in-memory-front.ts";
import { startPostgres, type TestServer } from "./state-servers.ts";

// Terminal states are final, a cancel reaches the replica running the generation (through the
// store) and stops its provider job, and canceled work is never charged.
const request = { prompt: "a lighthouse", model: "flux-pro-1.1", parameters: { width: 64, height: 64, seed: 3 } };
const bfl = createFakeProvider({ id: "bfl", models: { "flux-pro-1.1": {} } });

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < ms; await new Promise((r) => setTimeout(r, 20)))
    if (await check()) return;
  throw new Error(`timed out waiting until ${what}`);
}

async function creditsCharged(front: InMemoryFront): Promise<number> {
  return 1_000_000 - ((await front.users.getProfile({})).user?.usage?.creditsRemaining ?? Number.NaN);
}

let seed = 100;
/** A generation the fake provider holds, processing on `front`. */
const held = (front: InMemoryFront): Promise<Generation> =>
  startHeld(front, bfl, { ...request, parameters: { ...request.parameters, seed: ++seed } });

describe("cancel on the replica running the generation", () => {
  let front: InMemoryFront;
  beforeAll(async () => {
    front = await startInMemoryFront({ providers: [bfl] });
  });
  afterAll(() => front?.close());

  it("stops the provider job, ends canceled and charges nothing", async () => {
    const pending = await held(front);
    const aborted = bfl.aborted();
    const canceled = await front.images.cancelGeneration({ id: pending.id });
    expect(canceled.status).toBe(GenerationStatus.CANCELED);
    expect(bfl.aborted()).toBe(aborted + 1);
    expect((await front.images.getGeneration({ id: pending.id })).cost?.credits ?? 0).toBe(0);
    expect(await creditsCharged(front)).toBe(0);
  });

  it("refuses to cancel a finished generation (CONFLICT) and leaves it as it was", async () => {
    const done = await front.images.textToImage(request);
    const error = await front.images.cancelGeneration({ id: done.id }).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("CONFLICT");
    expect((await front.images.getGeneration({ id: done.id })).status).toBe(GenerationStatus.COMPLETED);
  });
});

describe("two fronts on one PostgreSQL", () => {
  let postgres: TestServer;
  let running: InMemoryFront;
  let other: InMemoryFront;
  beforeAll(async () => {
    postgres = await startPostgres();
    const env = { DATABASE_URL: postgres.url };
    running = await startInMemoryFront({ providers: [bfl], env, cancelCheckMs: 100 });
    other = await startInMemoryFront({ providers: [bfl], env });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([running?.close(), other?.close()]);
    await postgres?.stop();
  });

  it("a cancel on the other front reaches the running one, which stops the provider job; canceled, uncharged", async () => {
    const pending = await held(running);
    const aborted = bfl.aborted();
    expect((await other.images.cancelGeneration({ id: pending.id })).status).toBe(GenerationStatus.CANCELED);
    await until("the provider job is aborted", () => bfl.aborted() === aborted + 1);
    expect(running.logLines.some((l) => l.includes("canceled on another replica"))).toBe(true);
    await running.app.drain(5_000);
    for (const front of [running, other]) {
      expect(await front.images.getGeneration({ id: pending.id })).toMatchObject({ status: GenerationStatus.CANCELED });
    }
    expect(await creditsCharged(running)).toBe(0);
  });

  it("cancel vs complete: the provider finishing after the cancel was stored does not overwrite it nor charge", async () => {
    // This front checks for cancels too rarely to abort the job: its completion races the cancel.
    const slow = await startInMemoryFront({
      providers: [bfl],
      env: { DATABASE_URL: postgres.url },
      cancelCheckMs: 60_000,
    });
    try {
      const pending = await held(slow);
      expect((await other.images.cancelGeneration({ id: pending.id })).status).toBe(GenerationStatus.CANCELED);
      const calls = bfl.calls.length;
      bfl.release();
      await slow.app.drain(5_000);
      expect(bfl.calls.length).toBe(calls);
      const stored = await slow.images.getGeneration({ id: pending.id });
      expect(stored).toMatchObject({ status: GenerationStatus.CANCELED });
      expect(stored.cost?.credits ?? 0).toBe(0);
      expect(stored.images).toEqual([]);
      expect(await creditsCharged(slow)).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
