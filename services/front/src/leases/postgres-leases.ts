import pg from "pg";
import { fromPostgresError } from "../store/postgres-errors.ts";
import { QUERY_TIMEOUT_MS } from "../store/postgres-store.ts";
import { CLAIM_MS, type Lease, type LeaseStore } from "./lease-store.ts";

/** Takes or renews a lease: $1 generation, $2 owner, $3 holder, $4 expiry (the store takes one with its insert). */
export const POSTGRES_HOLD_LEASE = (first: number): string =>
  `INSERT INTO generation_leases VALUES ($${first}, $${first + 1}, $${first + 2}, $${first + 3})
   ON CONFLICT (generation_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at`;

/**
 * Leases in the shared PostgreSQL (the `generation_leases` table of the store's migrations), so
 * a replica that dies has its generations failed by whichever replica sweeps first. A small pool
 * of its own keeps heartbeats from queueing behind a busy store pool.
 */
export class PostgresLeases implements LeaseStore {
  private readonly pool: pg.Pool;

  constructor(connectionString: string) {
    // Waiting for a connection and for an answer are bounded as in the store: an outage fails
    // fast as UNAVAILABLE.
    this.pool = new pg.Pool({
      connectionString,
      max: 2,
      connectionTimeoutMillis: 5_000,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // An idle client whose server went away emits here; without a listener the process dies.
    // The next query reconnects, and a failed one is handled where it was made.
    this.pool.on("error", () => undefined);
  }

  async hold(lease: Lease): Promise<void> {
    await this.query(POSTGRES_HOLD_LEASE(1), [lease.generationId, lease.owner, lease.holder, lease.expiresAt]);
  }

  async release(generationId: string): Promise<void> {
    await this.query("DELETE FROM generation_leases WHERE generation_id = $1", [generationId]);
  }

  async claimExpired(now: number, claimer: string, limit = 50): Promise<Lease[]> {
    // One statement: rows another sweeper is claiming right now are skipped, not waited for.
    const { rows } = await this.query(
      `UPDATE generation_leases SET holder = $1, expires_at = $2
       WHERE generation_id IN (
         SELECT generation_id FROM generation_leases WHERE expires_at < $3 LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING generation_id, owner`,
      [claimer, now + CLAIM_MS, now, limit],
    );
    return rows.map((row: Record<string, unknown>) => ({
      generationId: String(row.generation_id),
      owner: String(row.owner),
      holder: claimer,
      expiresAt: now + CLAIM_MS,
    }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // An unreachable server reads as UNAVAILABLE (503), like every store query.
  private async query(sql: string, args: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(sql, args);
    } catch (error) {
      throw fromPostgresError(error);
    }
  }
}
