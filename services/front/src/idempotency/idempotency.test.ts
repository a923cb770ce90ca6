import { describe, expect, it } from "vitest";
import type { IdempotencyRecord } from "../store/api-key-record.ts";
import type { GenerationRecord, Store } from "../store/store.ts";
import { claimOrReplay } from "./idempotency.ts";

/** The three store calls idempotency makes, over one in-memory key and a set of stored generations. */
function fakeStore(stored: Map<string, Partial<GenerationRecord>>) {
  let held: IdempotencyRecord | undefined;
  const store = {
    async claimIdempotencyKey(record: IdempotencyRecord) {
      held ??= record;
      return held;
    },
    async releaseIdempotencyKey(_owner: string, _key: string, generationId: string) {
      if (held?.generationId === generationId) held = undefined;
    },
    async getGeneration(_owner: string, id: string) {
      return stored.get(id) as GenerationRecord | undefined;
    },
  };
  return { store: store as unknown as Store, claim: (record: IdempotencyRecord) => store.claimIdempotencyKey(record) };
}

const claim = { key: "order-1", fingerprint: "f" };

describe("claimOrReplay", () => {
  it("replays a generation its first call stored", async () => {
    const { store } = fakeStore(new Map([["gen_1", { status: "processing" }]]));
    await claimOrReplay(store, "o", claim, "gen_1");
    expect(await claimOrReplay(store, "o", claim, "gen_2")).toBe("gen_1");
  });

  it("takes over a key whose first call died between claiming and storing its generation", async () => {
    const { store, claim: claimAt } = fakeStore(new Map());
    // Claimed 6 s ago by a front that never stored gen_1: past the 5 s grace.
    await claimAt({
      owner: "o",
      key: claim.key,
      fingerprint: claim.fingerprint,
      generationId: "gen_1",
      createdAt: Date.now() - 6_000,
    });
    expect(await claimOrReplay(store, "o", claim, "gen_2")).toBeUndefined();
  });

  it("waits for a generation its first call is still storing, and replays it", async () => {
    const stored = new Map<string, Partial<GenerationRecord>>();
    const { store } = fakeStore(stored);
    await claimOrReplay(store, "o", claim, "gen_1");
    setTimeout(() => stored.set("gen_1", { status: "queued" }), 200);
    expect(await claimOrReplay(store, "o", claim, "gen_2")).toBe("gen_1");
  });
});
