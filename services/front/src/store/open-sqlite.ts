import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

/**
 * Opens (creating its folder) the embedded database file with the settings every table family
 * shares: WAL so several connections and processes read while one writes; synchronous=NORMAL,
 * which in WAL mode never corrupts the database and survives a process crash, and only risks the
 * last commits on a power loss — instead of an fsync per commit that blocks the event loop
 * (node:sqlite is synchronous); and a busy timeout that rides out short write locks.
 */
export function openSqlite(file: string): DatabaseSync {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  return db;
}
