import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_DURATION_HEADER } from "../src/generation/provider-duration.ts";
import { createFakeProvider } from "./fake-provider.ts";
import { startInMemoryFront, type InMemoryFront } from "./in-memory-front.ts";

// Seed 002's `duration_ms` is read from this header: the provider time measured by the front
// (dispatch to completion, in milliseconds), not a difference of whole-second timestamps.
const bfl = createFakeProvider({ id: "bfl", models: { "flux-pro-1.1": {} } });
const HOLD_MS = 350;

describe("the measured provider time of a generation", () => {
  let front: InMemoryFront;
  beforeAll(async () => {
    front = await startInMemoryFront({ providers: [bfl] });
  });
  afterAll(() => front?.close());

  it("comes with the create answer and every later read, in milliseconds", async () => {
    bfl.script({ kind: "hold" });
    const callsBefore = bfl.calls.length;
    let created: string | null = null;
    const answer = front.images.textToImage(
      { prompt: "a lighthouse", model: "flux-pro-1.1", parameters: { width: 64, height: 64, seed: 7 } },
      { onHeader: (headers) => (created = headers.get(PROVIDER_DURATION_HEADER)) },
    );
    // The provider holds the job HOLD_MS from the moment it arrives.
    while (bfl.calls.length === callsBefore) await new Promise((r) => setTimeout(r, 5));
    setTimeout(() => bfl.release(), HOLD_MS);
    const done = await answer;
    expect(done.status).toBe(GenerationStatus.COMPLETED);
    const ms = Number(created);
    // At least the time the provider held the job; far below the whole second a timestamp difference would give.
    expect(ms).toBeGreaterThanOrEqual(HOLD_MS);
    expect(ms).toBeLessThan(1_000);
    let read: string | null = null;
    await front.images.getGeneration(
      { id: done.id },
      { onHeader: (headers) => (read = headers.get(PROVIDER_DURATION_HEADER)) },
    );
    expect(read).toBe(created);
  });

  it("is absent while the generation has not completed", async () => {
    bfl.script({ kind: "hold" });
    let header: string | null = "unset";
    const pending = await front.images.textToImage(
      { prompt: "a lighthouse", model: "flux-pro-1.1", parameters: { width: 64, height: 64, seed: 8 } },
      { headers: { prefer: "respond-async" }, onHeader: (headers) => (header = headers.get(PROVIDER_DURATION_HEADER)) },
    );
    expect(pending.status).not.toBe(GenerationStatus.COMPLETED);
    expect(header).toBeNull();
    bfl.release();
  });
});
