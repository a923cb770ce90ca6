import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestServer } from "../../test/state-servers.ts";
import { PostgresStore } from "../store/postgres-store.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { GenerationRecord, Store } from "../store/store.ts";
import type { LeaseStore } from "./lease-store.ts";
import { PostgresLeases } from "./postgres-leases.ts";
import { SqliteLeases } from "./sqlite-leases.ts";

// The same lease rules on one machine (SQLite) and across replicas (PostgreSQL).
let postgres: TestServer;
const sqliteFile = join(mkdtempSync(join(tmpdir(), "imagegen-leases-")), "imagegen.sqlite");
beforeAll(async () => {
  postgres = await startPostgres();
  // The store's migrations create the table, as at a front's start.
  await (await PostgresStore.open(postgres.url)).close();
});
afterAll(() => postgres?.stop());

const backends: Array<[string, () => LeaseStore]> = [
  // A file, not :memory:, so two handles see one database as two processes on one machine would.
  ["sqlite", () => new SqliteLeases(sqliteFile)],
  ["postgres", () => new PostgresLeases(postgres.url)],
];

describe.each(backends)("leases on %s", (name, open) => {
  const id = (n: number) => `gen_${name}_${n}`;

  it("hands an expired lease to exactly one of two sweepers", async () => {
    const [a, b] = [open(), open()];
    await a.hold({ generationId: id(1), owner: "o", holder: "front-a", expiresAt: 1_000 });
    await a.hold({ generationId: id(2), owner: "o", holder: "front-a", expiresAt: 10_000 });
    const [first, second] = await Promise.all([a.claimExpired(5_000, "front-b"), b.claimExpired(5_000, "front-c")]);
    const claimed = [...first, ...second];
    expect(claimed.map((l) => l.generationId)).toEqual([id(1)]);
    expect(claimed[0]).toMatchObject({ owner: "o", expiresAt: 65_000 });
    // Claimed means renewed: it is not expired again until the claim runs out.
    expect(await a.claimExpired(6_000, "front-d")).toEqual([]);
    await Promise.all([a.release(id(1)), a.release(id(2))]);
    await Promise.all([a.close(), b.close()]);
  });

  it("renews on hold and forgets on release", async () => {
    const leases = open();
    await leases.hold({ generationId: id(3), owner: "o", holder: "front-a", expiresAt: 1_000 });
    await leases.hold({ generationId: id(3), owner: "o", holder: "front-a", expiresAt: 90_000 });
    expect(await leases.claimExpired(50_000, "sweeper")).toEqual([]);
    await leases.release(id(3));
    expect(await leases.claimExpired(100_000, "sweeper")).toEqual([]);
    await leases.close();
  });
});

// A generation's own writes take and drop its lease (one commit each instead of two).
const withStores: Array<[string, () => Promise<Store>, () => LeaseStore]> = [
  ["sqlite", async () => new SqliteStore(sqliteFile), () => new SqliteLeases(sqliteFile)],
  ["postgres", () => PostgresStore.open(postgres.url), () => new PostgresLeases(postgres.url)],
];

describe.each(withStores)("a generation's lease with its writes on %s", (name, openStore, openLeases) => {
  const record = (n: number): GenerationRecord => ({
    id: `gen_${name}_w${n}`,
    owner: "o",
    keyId: "key_x",
    status: "queued",
    operation: "text-to-image",
    model: "local",
    provider: "local",
    prompt: "a lighthouse",
    requestJson: "{}",
    metadataJson: "",
    createdAt: 1_700_000_000_000,
    costCredits: 0,
    costUsd: 0,
  });
  const leaseOf = (g: GenerationRecord) => ({
    generationId: g.id,
    owner: g.owner,
    holder: "front-a",
    expiresAt: 1_000,
  });
  const leased = async (leases: LeaseStore, g: GenerationRecord) => {
    const claimed = await leases.claimExpired(5_000_000, "sweeper", 1_000);
    for (const l of claimed) await leases.hold({ ...l, expiresAt: 1_000 });
    return claimed.some((l) => l.generationId === g.id);
  };

  it("takes the lease with the insert and drops it with the completion, applied or not", async () => {
    const [store, leases] = [await openStore(), openLeases()];
    const [done, lost] = [record(1), record(2)];
    for (const g of [done, lost]) await store.insertGeneration(g, leaseOf(g));
    expect(await leased(leases, done)).toBe(true);
    expect(await leased(leases, lost)).toBe(true);
    const completed = await store.updateGeneration(done.id, { status: "completed" }, { releaseLease: true });
    expect(completed.status).toBe("completed");
    expect(await leased(leases, done)).toBe(false);
    // A completion that loses to a terminal state still drops the lease: the outcome is recorded.
    await store.updateGeneration(lost.id, { status: "canceled" });
    expect(await leased(leases, lost)).toBe(true);
    const after = await store.updateGeneration(lost.id, { status: "completed" }, { releaseLease: true });
    expect(after.status).toBe("canceled");
    expect(await leased(leases, lost)).toBe(false);
    await Promise.all([store.close(), leases.close()]);
  });

  it("takes no lease when the insert fails: both or neither", async () => {
    const [store, leases] = [await openStore(), openLeases()];
    const g = record(3);
    await store.insertGeneration(g);
    await expect(store.insertGeneration(g, leaseOf(g))).rejects.toThrow();
    expect(await leased(leases, g)).toBe(false);
    await Promise.all([store.close(), leases.close()]);
  });
});
