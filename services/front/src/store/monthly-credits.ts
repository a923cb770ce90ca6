/**
 * Monthly credits per owner, kept as a running total beside the generations so the quota check
 * on every request reads one row instead of summing the month's generations (which grows with
 * every generation an owner makes). Triggers on `generations` add each change of `cost_credits`
 * to the month the generation was created in, inside the same write, so the total can never
 * disagree with the rows it sums; the migration backfills totals from existing generations.
 */

/** Start of the UTC month holding `ms`, in ms since the epoch (what the `month` column holds). */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

const SQLITE_MONTH = (createdAt: string): string =>
  `CAST(strftime('%s', ${createdAt} / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000`;

export const SQLITE_MONTHLY_CREDITS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS monthly_credits (
     owner TEXT NOT NULL, month INTEGER NOT NULL, credits REAL NOT NULL, PRIMARY KEY (owner, month))`,
  `CREATE TRIGGER IF NOT EXISTS generations_credits_insert AFTER INSERT ON generations WHEN NEW.cost_credits <> 0
   BEGIN
     INSERT INTO monthly_credits VALUES (NEW.owner, ${SQLITE_MONTH("NEW.created_at")}, NEW.cost_credits)
       ON CONFLICT (owner, month) DO UPDATE SET credits = credits + excluded.credits;
   END`,
  `CREATE TRIGGER IF NOT EXISTS generations_credits_update AFTER UPDATE OF cost_credits ON generations
   WHEN NEW.cost_credits <> OLD.cost_credits
   BEGIN
     INSERT INTO monthly_credits VALUES (NEW.owner, ${SQLITE_MONTH("NEW.created_at")}, NEW.cost_credits - OLD.cost_credits)
       ON CONFLICT (owner, month) DO UPDATE SET credits = credits + excluded.credits;
   END`,
];

/** Backfill for a database that had generations before the running totals existed. */
export const SQLITE_MONTHLY_CREDITS_BACKFILL = `
  INSERT INTO monthly_credits
    SELECT owner, ${SQLITE_MONTH("created_at")}, SUM(cost_credits) FROM generations WHERE cost_credits <> 0 GROUP BY 1, 2`;

const PG_MONTH = (createdAt: string): string =>
  `(EXTRACT(EPOCH FROM date_trunc('month', to_timestamp(${createdAt} / 1000.0) AT TIME ZONE 'UTC')) * 1000)::BIGINT`;

/** One PostgreSQL migration step: table, backfill and trigger together. */
export const POSTGRES_MONTHLY_CREDITS = `
  CREATE TABLE monthly_credits (
    owner TEXT NOT NULL, month BIGINT NOT NULL, credits DOUBLE PRECISION NOT NULL, PRIMARY KEY (owner, month));
  INSERT INTO monthly_credits
    SELECT owner, ${PG_MONTH("created_at")}, SUM(cost_credits) FROM generations WHERE cost_credits <> 0 GROUP BY 1, 2;
  CREATE FUNCTION count_monthly_credits() RETURNS trigger AS $$
  DECLARE delta DOUBLE PRECISION := NEW.cost_credits - CASE WHEN TG_OP = 'UPDATE' THEN OLD.cost_credits ELSE 0 END;
  BEGIN
    IF delta <> 0 THEN
      INSERT INTO monthly_credits VALUES (NEW.owner, ${PG_MONTH("NEW.created_at")}, delta)
        ON CONFLICT (owner, month) DO UPDATE SET credits = monthly_credits.credits + EXCLUDED.credits;
    END IF;
    RETURN NEW;
  END $$ LANGUAGE plpgsql;
  CREATE TRIGGER generations_credits AFTER INSERT OR UPDATE OF cost_credits ON generations
    FOR EACH ROW EXECUTE FUNCTION count_monthly_credits();`;
