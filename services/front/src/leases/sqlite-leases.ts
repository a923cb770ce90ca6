import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../store/open-sqlite.ts";
import { CLAIM_MS, type Lease, type LeaseStore } from "./lease-store.ts";

/** The leases table; the store creates it too, since it takes and drops leases with a generation's own writes. */
export const SQLITE_LEASES_TABLE = `CREATE TABLE IF NOT EXISTS generation_leases (
  generation_id TEXT PRIMARY KEY, owner TEXT NOT NULL, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)`;
export const SQLITE_HOLD_LEASE =
  "INSERT INTO generation_leases VALUES (?, ?, ?, ?) ON CONFLICT (generation_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at";
export const SQLITE_RELEASE_LEASE = "DELETE FROM generation_leases WHERE generation_id = ?";

/** Leases in the embedded SQLite file, beside the generations of a single-node deployment. */
export class SqliteLeases implements LeaseStore {
  private readonly db: DatabaseSync;
  // A shared connection is closed by whoever opened it (open-state.ts), once.
  private readonly owned: boolean;

  /** A file opens a connection of its own (tests); the front passes its shared one. */
  constructor(fileOrConnection: string | DatabaseSync) {
    this.owned = typeof fileOrConnection === "string";
    this.db = typeof fileOrConnection === "string" ? openSqlite(fileOrConnection) : fileOrConnection;
    this.db.exec(SQLITE_LEASES_TABLE);
  }

  async hold(lease: Lease): Promise<void> {
    this.db.prepare(SQLITE_HOLD_LEASE).run(lease.generationId, lease.owner, lease.holder, lease.expiresAt);
  }

  async release(generationId: string): Promise<void> {
    this.db.prepare(SQLITE_RELEASE_LEASE).run(generationId);
  }

  async claimExpired(now: number, claimer: string, limit = 50): Promise<Lease[]> {
    const rows = this.db
      .prepare("SELECT * FROM generation_leases WHERE expires_at < ? LIMIT ?")
      .all(now, limit) as Array<Record<string, string | number>>;
    const claimed: Lease[] = [];
    for (const row of rows) {
      // Compare-and-set on the old expiry: another process sweeping the same file loses the race.
      const taken = this.db
        .prepare("UPDATE generation_leases SET holder = ?, expires_at = ? WHERE generation_id = ? AND expires_at = ?")
        .run(claimer, now + CLAIM_MS, row.generation_id as string, row.expires_at as number);
      if (Number(taken.changes) === 1) {
        claimed.push({
          generationId: String(row.generation_id),
          owner: String(row.owner),
          holder: claimer,
          expiresAt: now + CLAIM_MS,
        });
      }
    }
    return claimed;
  }

  async close(): Promise<void> {
    if (this.owned) this.db.close();
  }
}
