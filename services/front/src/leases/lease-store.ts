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
 * "processing" forever. They live where the generations live (SQLite beside them, or the shared
 * PostgreSQL) so that any replica can recover any other's work.
 */
export interface LeaseStore {
  /** Takes or renews the lease of a generation this process runs. */
  hold(lease: Lease): Promise<void>;
  release(generationId: string): Promise<void>;
  /**
   * Claims up to `limit` expired leases for `claimer` (renewing them briefly, so two sweepers
   * never handle one) and returns them.
   */
  claimExpired(now: number, claimer: string, limit?: number): Promise<Lease[]>;
  close(): Promise<void>;
}

/** How long a sweeper holds a claimed lease while it fails the generation. */
export const CLAIM_MS = 60_000;
