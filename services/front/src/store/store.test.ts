import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestServer } from "../../test/state-servers.ts";
import { PostgresStore } from "./postgres-store.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { ApiKeyRecord, GenerationRecord, Store } from "./store.ts";

// One suite, every backend: the front must behave the same on one machine and on several replicas.
let postgres: TestServer;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.stop());

const backends: Array<[string, () => Promise<Store>]> = [
  ["sqlite", async () => new SqliteStore(":memory:")],
  ["postgres", () => PostgresStore.open(postgres.url)],
];

let seq = 0;
function generation(owner: string, patch: Partial<GenerationRecord> = {}): GenerationRecord {
  seq += 1;
  return {
    id: `gen_${Date.now()}_${seq}`,
    owner,
    keyId: "key_x",
    status: "queued",
    operation: "text-to-image",
    model: "local",
    provider: "local",
    prompt: "a lighthouse",
    requestJson: "{}",
    metadataJson: "",
    createdAt: 1_700_000_000_000 + seq * 1000,
    costCredits: 0,
    costUsd: 0,
    ...patch,
  };
}

function apiKey(owner: string, id: string, hashHex: string): ApiKeyRecord {
  return {
    id,
    hashHex,
    owner,
    name: "ci",
    tier: "pro",
    admin: false,
    allowedModels: ["local"],
    allowedProviders: [],
    monthlyCreditQuota: 25,
    createdAt: 1_700_000_000_000,
  };
}

describe.each(backends)("store on %s", (_name, open) => {
  let store: Store;
  const owner = `owner_${Math.random().toString(36).slice(2)}`;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store?.close());

  it("keeps a generation to its owner: another owner reads it as absent", async () => {
    const g = generation(owner);
    await store.insertGeneration(g);
    expect(await store.getGeneration(owner, g.id)).toEqual(g);
    expect(await store.getGeneration("someone-else", g.id)).toBeUndefined();
  });

  it("records which OAuth app made a generation, and none for an API key's", async () => {
    const byApp = generation(owner, { oauthClientId: "app_sketchbook" });
    await store.insertGeneration(byApp);
    expect(await store.getGeneration(owner, byApp.id)).toEqual(byApp);
    const byKey = generation(owner);
    await store.insertGeneration(byKey);
    expect((await store.getGeneration(owner, byKey.id))?.oauthClientId).toBeUndefined();
  });

  it("updates a generation and returns the record after the update", async () => {
    const g = generation(owner);
    await store.insertGeneration(g);
    const after = await store.updateGeneration(g.id, {
      status: "completed",
      completedAt: g.createdAt + 500,
      costCredits: 2,
      costUsd: 0.04,
    });
    expect(after).toEqual({ ...g, status: "completed", completedAt: g.createdAt + 500, costCredits: 2, costUsd: 0.04 });
  });

  it.each([
    ["completed", { status: "completed", costCredits: 2 }],
    ["failed", { status: "failed", errorReason: "UPSTREAM_AUTH" }],
    ["canceled", { status: "canceled", errorReason: "CANCELED" }],
  ] as const)(
    "keeps a %s generation final: a later update changes nothing and charges nothing",
    async (_state, terminal) => {
      const spender = `${owner}_final_${terminal.status}`;
      const g = generation(spender, { createdAt: Date.UTC(2026, 5, 10) });
      await store.insertGeneration(g);
      const first = await store.updateGeneration(g.id, { ...terminal, completedAt: g.createdAt + 1 });
      const spent = await store.creditsSpentInMonth(spender, Date.UTC(2026, 5, 1));
      for (const late of [
        { status: "completed", costCredits: 5, costUsd: 0.1 },
        { status: "processing", provider: "replicate" },
        { status: "canceled", errorReason: "CANCELED" },
      ] as const) {
        expect(await store.updateGeneration(g.id, late)).toEqual(first);
      }
      expect(await store.getGeneration(spender, g.id)).toEqual(first);
      expect(await store.creditsSpentInMonth(spender, Date.UTC(2026, 5, 1))).toBe(spent);
    },
  );

  it("forgets a generation's images, and they no longer count as the owner's storage", async () => {
    const keeper = `${owner}_images`;
    const [kept, dropped] = [generation(keeper), generation(keeper)];
    for (const g of [kept, dropped]) await store.insertGeneration(g);
    const image = (g: GenerationRecord, index: number) => ({
      id: `img_${g.id}_${index}`,
      generationId: g.id,
      owner: keeper,
      index,
      path: `${g.id}/${index}.png`,
      width: 8,
      height: 8,
      sizeBytes: 1000,
      format: "png",
    });
    await store.insertImages([image(kept, 0), image(dropped, 0), image(dropped, 1)]);
    await store.deleteImages(dropped.id);
    expect(await store.listImages(dropped.id)).toEqual([]);
    expect(await store.listImages(kept.id)).toHaveLength(1);
    expect((await store.usageTotals(keeper)).storageBytes).toBe(1000);
  });

  it("measures each model's mean queue and generation time over completed generations since a bound", async () => {
    const model = `timed-${Math.random().toString(36).slice(2)}`;
    const t = 1_800_000_000_000;
    const rows = [
      generation(owner, { model, status: "completed", createdAt: t, dispatchedAt: t + 100, completedAt: t + 1100 }),
      generation(owner, { model, status: "completed", createdAt: t, dispatchedAt: t + 300, completedAt: t + 3300 }),
      // Not completed, never dispatched, or before the bound: not measured.
      generation(owner, { model, status: "failed", createdAt: t, dispatchedAt: t + 1, completedAt: t + 2 }),
      generation(owner, { model, status: "completed", createdAt: t, completedAt: t + 5 }),
      generation(owner, {
        model,
        status: "completed",
        createdAt: t - 10_000,
        dispatchedAt: t - 9_000,
        completedAt: t - 1,
      }),
    ];
    for (const g of rows) await store.insertGeneration(g);
    expect((await store.modelTimings(t)).find((m) => m.model === model)).toEqual({
      model,
      queueMs: 200,
      generationMs: 2000,
      count: 2,
    });
    expect((await store.modelTimings(t + 10_000)).find((m) => m.model === model)).toBeUndefined();
  });

  it("tells which of a set of generations are canceled", async () => {
    const [a, b, c] = [generation(owner), generation(owner), generation(owner)];
    for (const g of [a, b, c]) await store.insertGeneration(g);
    await store.updateGeneration(a.id, { status: "canceled" });
    await store.updateGeneration(c.id, { status: "completed" });
    expect(await store.canceledAmong([a.id, b.id, c.id, "gen_unknown"])).toEqual([a.id]);
    expect(await store.canceledAmong([])).toEqual([]);
  });

  it("lists an owner's generations newest first, by status and after a cursor", async () => {
    const other = `${owner}_list`;
    const [a, b, c] = [generation(other), generation(other, { status: "failed" }), generation(other)];
    for (const g of [a, b, c]) await store.insertGeneration(g!);
    expect((await store.listGenerations(other, { limit: 10 })).map((g) => g.id)).toEqual([c!.id, b!.id, a!.id]);
    expect((await store.listGenerations(other, { limit: 10, status: "failed" })).map((g) => g.id)).toEqual([b!.id]);
    expect(
      (await store.listGenerations(other, { limit: 10, before: { createdAt: c!.createdAt, id: c!.id } })).map(
        (g) => g.id,
      ),
    ).toEqual([b!.id, a!.id]);
  });

  it("records a completion's images in its own commit, and none when the completion lost to a terminal state", async () => {
    const maker = `${owner}_completion_images`;
    const image = (g: GenerationRecord, index: number) => ({
      id: `img_${g.id}_${index}`,
      generationId: g.id,
      owner: maker,
      index,
      path: `${g.id}.${index}.png`,
      width: 8,
      height: 8,
      sizeBytes: 100,
      format: "png",
      seed: index === 0 ? 4_000_000_000 : undefined,
      nsfwScore: index === 0 ? 0.25 : undefined,
    });
    const [done, canceled] = [generation(maker, { status: "processing" }), generation(maker, { status: "processing" })];
    for (const g of [done, canceled]) await store.insertGeneration(g);
    const completed = await store.updateGeneration(
      done.id,
      { status: "completed", completedAt: done.createdAt + 1, costCredits: 2 },
      { releaseLease: true, images: [image(done, 0), image(done, 1)] },
    );
    expect(completed.status).toBe("completed");
    expect(await store.listImages(done.id)).toEqual([image(done, 0), image(done, 1)]);

    await store.updateGeneration(canceled.id, { status: "canceled", completedAt: canceled.createdAt + 1 });
    const lost = await store.updateGeneration(
      canceled.id,
      { status: "completed", completedAt: canceled.createdAt + 2, costCredits: 2 },
      { images: [image(canceled, 0)] },
    );
    expect(lost.status).toBe("canceled");
    expect(await store.listImages(canceled.id)).toEqual([]);
    expect((await store.usageTotals(maker)).storageBytes).toBe(200);
  });

  it("takes writes asked for at once each on its own: all land, a duplicate fails alone, one of two racing outcomes stands", async () => {
    // The SQLite store commits the writes of one event-loop turn together (sqlite-group-commit.ts);
    // PostgreSQL runs them side by side on its pool. Either way each write stands or fails alone.
    const busy = `${owner}_at_once`;
    const created = Date.UTC(2026, 6, 2);
    const gens = Array.from({ length: 8 }, () => generation(busy, { status: "processing", createdAt: created }));
    const inserts = await Promise.allSettled([
      ...gens.map((g) => store.insertGeneration(g)),
      store.insertGeneration(gens[0]!),
    ]);
    expect(inserts.filter((r) => r.status === "rejected")).toHaveLength(1);
    for (const g of gens) expect(await store.getGeneration(busy, g.id)).toEqual(g);

    const racing = gens[1]!;
    const answers = await Promise.all([
      store.updateGeneration(racing.id, { status: "completed", completedAt: created + 1, costCredits: 3 }),
      store.updateGeneration(racing.id, { status: "canceled", completedAt: created + 2, errorReason: "CANCELED" }),
    ]);
    // Whichever came first stands, and both callers are answered with it.
    const stood = await store.getGeneration(busy, racing.id);
    expect(["completed", "canceled"]).toContain(stood?.status);
    expect(answers).toEqual([stood, stood]);
    expect(await store.creditsSpentInMonth(busy, Date.UTC(2026, 6, 1))).toBe(stood?.status === "completed" ? 3 : 0);
  });

  it("stores images in order and hides them from other owners", async () => {
    const g = generation(owner);
    await store.insertGeneration(g);
    const image = {
      id: `img_${g.id}`,
      generationId: g.id,
      owner,
      index: 0,
      path: `${g.id}/x.png`,
      width: 64,
      height: 64,
      sizeBytes: 10,
      format: "png",
      seed: 4_000_000_000,
    };
    await store.insertImages([image]);
    expect(await store.listImages(g.id)).toEqual([image]);
    expect(await store.getImage(owner, image.id)).toEqual(image);
    expect(await store.getImage("someone-else", image.id)).toBeUndefined();
  });

  it("keeps each month's credits as generations are charged, in the month they were created", async () => {
    const spender = `${owner}_credits`;
    const march = Date.UTC(2026, 2, 1);
    const april = Date.UTC(2026, 3, 1);
    const charged = generation(spender, { createdAt: april - 1 });
    await store.insertGeneration(charged);
    await store.insertGeneration(generation(spender, { costCredits: 1.5, createdAt: april }));
    await store.insertGeneration(generation(spender, { costCredits: 2, createdAt: april + 86_400_000 }));
    expect(await store.creditsSpentInMonth(spender, march)).toBe(0);
    // Charged on completion, in April, but created in March: March's credits.
    await store.updateGeneration(charged.id, { status: "completed", costCredits: 3, completedAt: april + 5 });
    await store.updateGeneration(charged.id, { status: "completed" });
    expect(await store.creditsSpentInMonth(spender, march)).toBe(3);
    expect(await store.creditsSpentInMonth(spender, april)).toBe(3.5);
    expect(await store.creditsSpentInMonth("nobody", april)).toBe(0);
  });

  it("finds a key by its digest, lists it without revoked ones unless asked, and revokes it once", async () => {
    const key = apiKey(owner, `key_${owner.slice(-8)}`, `hash_${owner}`);
    await store.insertApiKey(key);
    expect(await store.findApiKeyByHash(key.hashHex)).toEqual(key);
    expect(await store.findApiKeyByHash("nope")).toBeUndefined();
    expect(await store.listApiKeys({ owner })).toEqual([key]);
    const revoked = await store.revokeApiKey(key.id, 1_800_000_000_000);
    expect(revoked).toEqual({ ...key, revokedAt: 1_800_000_000_000 });
    expect((await store.revokeApiKey(key.id, 1_900_000_000_000))?.revokedAt).toBe(1_800_000_000_000);
    expect(await store.listApiKeys({ owner })).toEqual([]);
    expect(await store.listApiKeys({ owner, includeRevoked: true })).toEqual([revoked]);
    expect(await store.revokeApiKey("key_missing", 1)).toBeUndefined();
  });

  it.each([
    ["the first claim holds the key", [{ gen: "g1", at: 100 }], "g1"],
    [
      "a second claim within the window gets the first generation",
      [
        { gen: "g1", at: 100 },
        { gen: "g2", at: 200 },
      ],
      "g1",
    ],
    [
      "a claim after the window replaces the expired one",
      [
        { gen: "g1", at: 100 },
        { gen: "g2", at: 100 + 86_400_001 },
      ],
      "g2",
    ],
  ])("idempotency: %s", async (_title, claims, holder) => {
    const key = `idem_${Math.random()}`;
    let held;
    for (const c of claims)
      held = await store.claimIdempotencyKey(
        { owner, key, fingerprint: "f", generationId: c.gen, createdAt: c.at },
        c.at - 86_400_000,
      );
    expect(held?.generationId).toBe(holder);
  });

  it("idempotency: a released claim frees the key for the next call", async () => {
    const key = `idem_${Math.random()}`;
    await store.claimIdempotencyKey({ owner, key, fingerprint: "f", generationId: "g1", createdAt: 1 }, 0);
    await store.releaseIdempotencyKey(owner, key, "g1");
    expect(
      (await store.claimIdempotencyKey({ owner, key, fingerprint: "f2", generationId: "g2", createdAt: 2 }, 0))
        .generationId,
    ).toBe("g2");
  });
});

describe.each(backends)("usage totals on %s", (_name, open) => {
  it("counts completed images today and this month, credits this month and storage", async () => {
    const store = await open();
    const owner = `usage_${Math.random().toString(36).slice(2)}`;
    const now = new Date(Date.UTC(2026, 10, 22, 12));
    const today = Date.UTC(2026, 10, 22, 1);
    const earlierThisMonth = Date.UTC(2026, 10, 3);
    const lastMonth = Date.UTC(2026, 9, 30);
    const rows = [
      [generation(owner, { status: "completed", createdAt: today, costCredits: 2 }), 2],
      [generation(owner, { status: "completed", createdAt: earlierThisMonth, costCredits: 1 }), 1],
      [generation(owner, { status: "failed", createdAt: today }), 1],
      [generation(owner, { status: "completed", createdAt: lastMonth, costCredits: 5 }), 1],
    ] as const;
    for (const [g, images] of rows) {
      await store.insertGeneration(g);
      await store.insertImages(
        Array.from({ length: images }, (_, i) => ({
          id: `img_${g.id}_${i}`,
          generationId: g.id,
          owner,
          index: i,
          path: "p",
          width: 8,
          height: 8,
          sizeBytes: 100,
          format: "png",
        })),
      );
    }
    expect(await store.usageTotals(owner, now)).toEqual({
      imagesToday: 2,
      imagesMonth: 3,
      creditsMonth: 3,
      storageBytes: 500,
      firstSeen: lastMonth,
    });
    await store.close();
  });
});

describe("postgres store, a guarded update that waits for a concurrent writer", () => {
  it("answers with the outcome that writer committed, not the row as its own statement began", async () => {
    const store = await PostgresStore.open(postgres.url);
    const other = new pg.Client({ connectionString: postgres.url });
    // Watches from outside any transaction: inside one, pg_stat_activity is read once and kept.
    const watcher = new pg.Client({ connectionString: postgres.url });
    await Promise.all([other.connect(), watcher.connect()]);
    try {
      const owner = `owner_race_${Math.random().toString(36).slice(2)}`;
      const g = generation(owner, { status: "processing", createdAt: Date.UTC(2026, 7, 2) });
      await store.insertGeneration(g);
      // Another replica cancels it and holds the row until it commits.
      await other.query("BEGIN");
      await other.query("UPDATE generations SET status = 'canceled', completed_at = $2 WHERE id = $1", [
        g.id,
        g.createdAt + 1,
      ]);
      const completion = store.updateGeneration(g.id, {
        status: "completed",
        completedAt: g.createdAt + 2,
        costCredits: 3,
      });
      // Commit only once the completion waits on that row's lock, so the race is the one run.
      for (let waiting = false; !waiting; ) {
        const { rows } = await watcher.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE generations%'",
        );
        waiting = rows[0].n > 0;
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await other.query("COMMIT");
      const answered = await completion;
      expect(answered.status).toBe("canceled");
      expect(answered).toEqual(await store.getGeneration(owner, g.id));
      expect(await store.creditsSpentInMonth(owner, Date.UTC(2026, 7, 1))).toBe(0);
    } finally {
      await Promise.all([other.end(), watcher.end()]);
      await store.close();
    }
  });
});

describe("sqlite store on a data dir from before dispatched_at", () => {
  it("adds the column on open and keeps the rows", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "imagegen-store-")), "imagegen.sqlite");
    const old = new DatabaseSync(file);
    old.exec(`CREATE TABLE generations (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, key_id TEXT NOT NULL, status TEXT NOT NULL,
      operation TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, prompt TEXT NOT NULL,
      request_json TEXT NOT NULL, metadata_json TEXT NOT NULL, created_at INTEGER NOT NULL,
      completed_at INTEGER, cost_credits REAL NOT NULL, cost_usd REAL NOT NULL,
      error_reason TEXT, error_message TEXT)`);
    old
      .prepare(
        "INSERT INTO generations VALUES ('gen_old', 'o', 'k', 'completed', 'text-to-image', 'local', 'local', 'p', '{}', '', 1, 2, 0, 0, NULL, NULL)",
      )
      .run();
    old.close();
    const store = new SqliteStore(file);
    expect(await store.getGeneration("o", "gen_old")).toMatchObject({ id: "gen_old", status: "completed" });
    const g = generation("o", { dispatchedAt: 5 });
    await store.insertGeneration(g);
    expect(await store.getGeneration("o", g.id)).toEqual(g);
    await store.close();
  });
});
