import { mkdtempSync, rmSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteGroupCommit } from "./sqlite-group-commit.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const files = new WeakMap<DatabaseSync, string>();

function openDb(): DatabaseSync {
  const dir = mkdtempSync(join(tmpdir(), "imagegen-group-commit-"));
  dirs.push(dir);
  const file = join(dir, "test.sqlite");
  const db = new DatabaseSync(file);
  files.set(db, file);
  // No checkpoints: the WAL keeps every page each commit appended.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; PRAGMA foreign_keys = ON;");
  db.exec("CREATE TABLE items (id TEXT PRIMARY KEY, note TEXT)");
  db.exec(
    "CREATE TABLE parts (id TEXT PRIMARY KEY, item TEXT NOT NULL REFERENCES items (id) DEFERRABLE INITIALLY DEFERRED)",
  );
  return db;
}

const insert = (db: DatabaseSync, id: string) => () => db.prepare("INSERT INTO items (id) VALUES (?)").run(id);
const ids = (db: DatabaseSync) =>
  (db.prepare("SELECT id FROM items ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id);
/** Pages appended to the WAL so far: each commit appends every page it changed (a 24-byte header each). */
function walFrames(db: DatabaseSync): number {
  const pageSize = (db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size;
  return (statSync(`${files.get(db)}-wal`).size - 32) / (pageSize + 24);
}

/** Every write of the group rejected with `reason`, none of them kept, no transaction left open. */
function expectGroupFailed(db: DatabaseSync, results: PromiseSettledResult<unknown>[], reason: RegExp): void {
  expect(results.map((r) => r.status)).toEqual(results.map(() => "rejected"));
  for (const result of results) expect(String((result as PromiseRejectedResult).reason)).toMatch(reason);
  expect(ids(db)).toEqual([]);
  expect(db.isTransaction).toBe(false);
}

describe("SQLite group commit", () => {
  it("commits the writes asked for in one turn together: the WAL grows by one commit's pages, not one per write", async () => {
    const appended = async (db: DatabaseSync, write: () => Promise<unknown>) => {
      const before = walFrames(db);
      await write();
      return walFrames(db) - before;
    };
    const single = openDb();
    const oneWrite = await appended(single, () => new SqliteGroupCommit(single).run(insert(single, "a")));

    const separate = openDb();
    const separately = new SqliteGroupCommit(separate);
    const threeCommits = await appended(separate, async () => {
      for (const id of ["a", "b", "c"]) await separately.run(insert(separate, id));
    });

    const grouped = openDb();
    const together = new SqliteGroupCommit(grouped);
    const oneCommit = await appended(grouped, () =>
      Promise.all(["a", "b", "c"].map((id) => together.run(insert(grouped, id)))),
    );

    expect(ids(grouped)).toEqual(["a", "b", "c"]);
    expect(oneWrite).toBeGreaterThan(0);
    expect(threeCommits).toBe(3 * oneWrite);
    expect(oneCommit).toBe(oneWrite);
  });

  it("tells no caller of its write before the commit, and answers each with its own result", async () => {
    const db = openDb();
    const group = new SqliteGroupCommit(db);
    const first = group.run(() => {
      insert(db, "a")();
      return "first";
    });
    const second = group.run(() => 2);
    // Nothing ran yet: the group runs when this turn ends.
    expect(ids(db)).toEqual([]);
    await expect(Promise.all([first, second])).resolves.toEqual(["first", 2]);
    expect(db.isTransaction).toBe(false);
  });

  it("rolls back a write that throws alone: it rejects with its error, the others commit", async () => {
    const db = openDb();
    const group = new SqliteGroupCommit(db);
    const failure = new Error("refused halfway");
    const results = await Promise.allSettled([
      group.run(insert(db, "a")),
      group.run(() => {
        insert(db, "b")();
        throw failure;
      }),
      group.run(insert(db, "a")), // a primary-key conflict: this one's own error
      group.run(insert(db, "c")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBe(failure);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(ids(db)).toEqual(["a", "c"]);
    expect(db.isTransaction).toBe(false);
  });

  it("fails every write of a group whose commit fails, and keeps none of them", async () => {
    const db = openDb();
    const group = new SqliteGroupCommit(db);
    const results = await Promise.allSettled([
      group.run(insert(db, "a")),
      // A deferred foreign key is checked at COMMIT: the whole group's commit fails.
      group.run(() => db.prepare("INSERT INTO parts (id, item) VALUES ('p', 'missing')").run()),
    ]);
    expectGroupFailed(db, results, /FOREIGN KEY constraint failed/);
    // The connection is usable afterwards.
    await group.run(insert(db, "b"));
    expect(ids(db)).toEqual(["b"]);
  });

  it("fails the group while another connection holds the write lock, keeps nothing, and writes again once it is free", async () => {
    const db = openDb();
    db.exec("PRAGMA busy_timeout = 50");
    const other = new DatabaseSync(files.get(db) as string);
    other.exec("BEGIN IMMEDIATE");
    const group = new SqliteGroupCommit(db);
    const results = await Promise.allSettled(["a", "b", "c"].map((id) => group.run(insert(db, id))));
    other.exec("ROLLBACK");
    other.close();
    expectGroupFailed(db, results, /database is locked/);
    await group.run(insert(db, "d"));
    expect(ids(db)).toEqual(["d"]);
  });

  it("rolls back a write of a group of one that throws, leaving the connection out of any transaction", async () => {
    const db = openDb();
    const group = new SqliteGroupCommit(db);
    await expect(
      group.run(() => {
        insert(db, "a")();
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    expect(ids(db)).toEqual([]);
    expect(db.isTransaction).toBe(false);
  });

  it("fails every write of a group whose own bookkeeping fails, rather than leaving them waiting", async () => {
    const db = openDb();
    const group = new SqliteGroupCommit(db);
    const results = await Promise.allSettled([
      group.run(insert(db, "a")),
      // Releases the group's savepoint itself: the group's own RELEASE then fails.
      group.run(() => db.exec("RELEASE group_write")),
    ]);
    expectGroupFailed(db, results, /no such savepoint/);
  });

  it("runs the pending writes at once on flush (the store flushes before it closes)", async () => {
    const db = openDb();
    const group = new SqliteGroupCommit(db);
    const written = group.run(insert(db, "a"));
    group.flush();
    expect(ids(db)).toEqual(["a"]);
    await written;
  });
});
