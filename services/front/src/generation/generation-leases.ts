import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../store/open-sqlite.ts";

/** A generation some process promised to finish, until `expiresAt`. */
export interface Lease {
  readonly generationId: string;
  readonly owner: string;
  readonly holder: string;
  readonly expiresAt: number;
}

/**
 * Leases on running generations. The process running one renews its lease while it works; if it
 * dies, the lease expires and any front replica's sweeper fails the generation, so nothing stays
 * "processing" forever. Kept beside the embedded state (SQLite, WAL).
 */
export class GenerationLeases {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS generation_leases (
      generation_id TEXT PRIMARY KEY, owner TEXT NOT NULL, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)`);
  }

  /** Takes or renews the lease of a generation this process runs. */
  hold(lease: Lease): void {
    this.db
      .prepare("INSERT INTO generation_leases VALUES (?, ?, ?, ?) ON CONFLICT (generation_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at")
      .run(lease.generationId, lease.owner, lease.holder, lease.expiresAt);
  }

  release(generationId: string): void {
    this.db.prepare("DELETE FROM generation_leases WHERE generation_id = ?").run(generationId);
  }

  /**
   * Claims up to `limit` expired leases for `claimer` (renewing them briefly so two sweepers do
   * not both handle one) and returns them.
   */
  claimExpired(now: number, claimer: string, limit = 50): Lease[] {
    const rows = this.db.prepare("SELECT * FROM generation_leases WHERE expires_at < ? LIMIT ?").all(now, limit) as Array<Record<string, string | number>>;
    const claimed: Lease[] = [];
    for (const row of rows) {
      const taken = this.db
        .prepare("UPDATE generation_leases SET holder = ?, expires_at = ? WHERE generation_id = ? AND expires_at = ?")
        .run(claimer, now + 60_000, row.generation_id as string, row.expires_at as number);
      if (Number(taken.changes) === 1) {
        claimed.push({ generationId: String(row.generation_id), owner: String(row.owner), holder: claimer, expiresAt: now + 60_000 });
      }
    }
    return claimed;
  }

  close(): void {
    this.db.close();
  }
}
