import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqlite } from "./open-sqlite.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "imagegen-wal-"));
  dirs.push(dir);
  return join(dir, "imagegen.sqlite");
}

// 1500 small commits: about 1500 WAL frames, past SQLite's own 1000-page checkpoint threshold.
function burst(db: ReturnType<typeof openSqlite>, from: number): void {
  const insert = db.prepare("INSERT INTO t (id, body) VALUES (?, ?)");
  for (let i = from; i < from + 1500; i++) insert.run(i, "x".repeat(200));
}

describe("WAL checkpoints in the background", () => {
  it("request-path connections never checkpoint inside a commit", () => {
    const db = openSqlite(tempDb());
    expect(db.prepare("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 0 });
    db.close();
  });

  it("the worker checkpoints between bursts, so the WAL is reused instead of growing", async () => {
    const file = tempDb();
    const db = openSqlite(file);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)");
    burst(db, 0);
    const afterFirst = statSync(`${file}-wal`).size;
    // Ten checkpoint rounds (room for a loaded CI machine); the next writer then starts the WAL
    // over from its beginning.
    await new Promise((r) => setTimeout(r, 2000));
    burst(db, 1500);
    const afterSecond = statSync(`${file}-wal`).size;
    expect(afterSecond).toBeLessThanOrEqual(afterFirst * 1.1);
    expect(db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 3000 });
    db.close();
  });

  it("every connection to one file shares one checkpointer, and closing them all is clean", async () => {
    const file = tempDb();
    const [a, b] = [openSqlite(file), openSqlite(file)];
    a.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)");
    burst(a, 0);
    a.close();
    // The other connection keeps the worker alive and checkpointing.
    await new Promise((r) => setTimeout(r, 2000));
    const size = statSync(`${file}-wal`).size;
    burst(b, 1500);
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(size * 1.1);
    b.close();
    expect(b.isOpen).toBe(false);
  });
});
