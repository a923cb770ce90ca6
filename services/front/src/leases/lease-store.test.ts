import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestServer } from "../../test/state-servers.ts";
import { PostgresStore } from "../store/postgres-store.ts";
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
