/** An owner's usage as the profile shows it (seed 004's user usage block). */
export interface UsageTotals {
  /** Images of completed generations created since the start of today (UTC). */
  readonly imagesToday: number;
  /** The same since the start of this month (UTC). */
  readonly imagesMonth: number;
  /** Credits charged this month: what completed generations actually produced. */
  readonly creditsMonth: number;
  readonly storageBytes: number;
  /** The owner's first generation, ms since the epoch. */
  readonly firstSeen?: number;
}

/** Start of the UTC day and month holding `now`, ms since the epoch. */
export function usagePeriods(now: Date): { day: number; month: number } {
  return {
    day: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()),
    month: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
  };
}

/**
 * The one SQL both backends run (positional parameters: owner, day start, month start), so
 * SQLite and PostgreSQL cannot drift apart on what "usage" means.
 */
export const USAGE_SQL = (p: (n: number) => string): string => `
  SELECT
    (SELECT COUNT(*) FROM images i JOIN generations g ON g.id = i.generation_id
      WHERE g.owner = ${p(1)} AND g.status = 'completed' AND g.created_at >= ${p(2)}) AS images_today,
    (SELECT COUNT(*) FROM images i JOIN generations g ON g.id = i.generation_id
      WHERE g.owner = ${p(1)} AND g.status = 'completed' AND g.created_at >= ${p(3)}) AS images_month,
    (SELECT COALESCE(SUM(cost_credits), 0) FROM generations WHERE owner = ${p(1)} AND created_at >= ${p(3)}) AS credits_month,
    (SELECT COALESCE(SUM(size_bytes), 0) FROM images WHERE owner = ${p(1)}) AS storage_bytes,
    (SELECT MIN(created_at) FROM generations WHERE owner = ${p(1)}) AS first_seen`;

/** A usage row → totals. */
export function toUsageTotals(r: Record<string, unknown>): UsageTotals {
  return {
    imagesToday: Number(r.images_today),
    imagesMonth: Number(r.images_month),
    creditsMonth: Number(r.credits_month),
    storageBytes: Number(r.storage_bytes),
    firstSeen: r.first_seen === null || r.first_seen === undefined ? undefined : Number(r.first_seen),
  };
}
