import type { Logger } from "@imagegen/server-kit";
import { MODEL_TIMINGS_SQL, toTimings } from "./model-timings.ts";
import {
  TERMINAL_STATES,
  type ModelTimings,
  type ApiKeyRecord,
  type GenerationRecord,
  type IdempotencyRecord,
  type ImageRecord,
  type Store,
  type UpdateOptions,
} from "./store.ts";
import type { Lease } from "../leases/lease-store.ts";
import { POSTGRES_HOLD_LEASE } from "../leases/postgres-leases.ts";
import { PostgresDatabase, type PostgresQuery } from "./postgres-database.ts";
import { CLAIM_IDEMPOTENCY_KEY, toApiKey, toIdempotency } from "./sqlite-keys.ts";
import { toUsageTotals, USAGE_SQL, usagePeriods, type UsageTotals } from "./usage-totals.ts";
import { GENERATION_COLUMNS, IMAGE_INSERT_COLUMNS, imageFromRow, imageToRow } from "./store-rows.ts";

type Row = Record<string, unknown>;

const COLUMNS = GENERATION_COLUMNS;

// BIGINT arrives as a string from pg; these columns are numbers in the records.
const NUMERIC = new Set(["createdAt", "dispatchedAt", "completedAt", "costCredits", "costUsd"]);
export { QUERY_TIMEOUT_MS } from "./postgres-database.ts";

/** Inserts the image rows of a JSON array (imagesAsJson) given as `param`: one statement for any number. */
const INSERT_IMAGES_FROM_JSON = (param: string): string =>
  `INSERT INTO images (${IMAGE_INSERT_COLUMNS}) SELECT ${IMAGE_INSERT_COLUMNS} FROM json_populate_recordset(NULL::images, ${param}::json)`;

const IMAGE_COLUMN_NAMES = IMAGE_INSERT_COLUMNS.split(", ");

/** Image records as a JSON array of `images` rows, keyed by column. */
function imagesAsJson(images: readonly ImageRecord[]): string {
  return JSON.stringify(
    images.map((image) => {
      const values = imageToRow(image);
      return Object.fromEntries(IMAGE_COLUMN_NAMES.map((column, i) => [column, values[i]]));
    }),
  );
}

/** The scale-out store: every replica reads and writes one PostgreSQL database (DATABASE_URL). */
export class PostgresStore implements Store {
  private readonly query: PostgresQuery;

  constructor(private readonly db: PostgresDatabase) {
    this.query = db.query;
  }

  /** Opens a database of its own (the keys CLI, tests); the front shares one (open-state.ts). */
  static async open(connectionString: string, logger?: Logger): Promise<PostgresStore> {
    return new PostgresStore(await PostgresDatabase.open(connectionString, logger));
  }

  async insertGeneration(r: GenerationRecord, lease?: Lease): Promise<void> {
    const keys = Object.keys(COLUMNS) as Array<keyof GenerationRecord>;
    const insert = `INSERT INTO generations (${keys.map((k) => COLUMNS[k]).join(", ")}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(", ")})`;
    const values: unknown[] = keys.map((k) => r[k] ?? null);
    if (!lease) {
      await this.query(insert, values);
      return;
    }
    // One statement, so one round trip and one commit: the lease's CTE runs with the insert.
    await this.query(`WITH lease AS (${POSTGRES_HOLD_LEASE(keys.length + 1)}) ${insert}`, [
      ...values,
      lease.generationId,
      lease.owner,
      lease.holder,
      lease.expiresAt,
    ]);
  }

  async updateGeneration(
    id: string,
    patch: Partial<GenerationRecord>,
    options?: UpdateOptions,
  ): Promise<GenerationRecord> {
    const keys = (Object.keys(patch) as Array<keyof GenerationRecord>).filter((k) => k !== "id" && k !== "owner");
    const sets = keys.map((k, i) => `${COLUMNS[k]} = $${i + 3}`);
    // The lease is dropped by a CTE of the same statement (it runs whether or not the update applied).
    const release = options?.releaseLease
      ? "released AS (DELETE FROM generation_leases WHERE generation_id = $1), "
      : "";
    // The images are inserted by a CTE too, only if the UPDATE returned its row (it applied).
    const images = options?.images?.length ? options.images : undefined;
    const imaged = images
      ? `, imaged AS (${INSERT_IMAGES_FROM_JSON(`$${keys.length + 3}`)} WHERE EXISTS (SELECT 1 FROM updated))`
      : "";
    // One statement: the guarded UPDATE's row, or (terminal, so untouched) the row as it is.
    const sql = keys.length
      ? `WITH ${release}updated AS (UPDATE generations SET ${sets.join(", ")} WHERE id = $1 AND status <> ALL($2::text[]) RETURNING *)${imaged}
         SELECT *, true AS applied FROM updated UNION ALL SELECT *, false FROM generations WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM updated)`
      : `${release ? `WITH ${release.slice(0, -2)} ` : ""}SELECT * FROM generations WHERE id = $1 AND $2::text[] IS NOT NULL`;
    const values = [id, TERMINAL_STATES, ...keys.map((k) => patch[k] ?? null)];
    if (images && keys.length) values.push(imagesAsJson(images));
    const { rows } = await this.query(sql, values);
    const row = rows[0];
    if (!row) throw new Error(`generation ${id} vanished`);
    // An UPDATE that waited for a concurrent writer's lock and then found the row final did not
    // apply, but the statement's SELECT still sees the row as it was before that writer committed
    // (the statement's snapshot, READ COMMITTED). A row that is not final there is that stale
    // view: read it again in a statement of its own, which sees the outcome that stands.
    if (row.applied === false && !(TERMINAL_STATES as readonly unknown[]).includes(row.status)) {
      const { rows: current } = await this.query("SELECT * FROM generations WHERE id = $1", [id]);
      if (!current[0]) throw new Error(`generation ${id} vanished`);
      return toGeneration(current[0]);
    }
    return toGeneration(row);
  }

  async modelTimings(since: number): Promise<ModelTimings[]> {
    const { rows } = await this.query(MODEL_TIMINGS_SQL("$1"), [since]);
    return rows.map(toTimings);
  }

  async canceledAmong(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query("SELECT id FROM generations WHERE id = ANY($1::text[]) AND status = 'canceled'", [
      ids,
    ]);
    return rows.map((r) => String(r.id));
  }

  async getGeneration(owner: string, id: string): Promise<GenerationRecord | undefined> {
    const { rows } = await this.query("SELECT * FROM generations WHERE id = $1 AND owner = $2", [id, owner]);
    return rows[0] && toGeneration(rows[0]);
  }

  async listGenerations(
    owner: string,
    options: { limit: number; status?: string; before?: { createdAt: number; id: string } },
  ): Promise<GenerationRecord[]> {
    const args: unknown[] = [owner];
    const where = ["owner = $1"];
    if (options.status) where.push(`status = $${args.push(options.status)}`);
    if (options.before) {
      const t = args.push(options.before.createdAt);
      const i = args.push(options.before.id);
      where.push(`(created_at < $${t} OR (created_at = $${t} AND id < $${i}))`);
    }
    const sql = `SELECT * FROM generations WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT $${args.push(options.limit)}`;
    return (await this.query(sql, args)).rows.map(toGeneration);
  }

  async insertImages(images: readonly ImageRecord[]): Promise<void> {
    if (images.length) await this.query(INSERT_IMAGES_FROM_JSON("$1"), [imagesAsJson(images)]);
  }

  async deleteImages(generationId: string): Promise<void> {
    await this.query("DELETE FROM images WHERE generation_id = $1", [generationId]);
  }

  async listImages(generationId: string): Promise<ImageRecord[]> {
    return (await this.query("SELECT * FROM images WHERE generation_id = $1 ORDER BY idx", [generationId])).rows.map(
      imageFromRow,
    );
  }

  async getImage(owner: string, imageId: string): Promise<ImageRecord | undefined> {
    const { rows } = await this.query("SELECT * FROM images WHERE id = $1 AND owner = $2", [imageId, owner]);
    return rows[0] && imageFromRow(rows[0]);
  }

  async insertApiKey(k: ApiKeyRecord): Promise<void> {
    await this.query("INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", [
      k.id,
      k.hashHex,
      k.owner,
      k.name,
      k.tier,
      k.admin ? 1 : 0,
      JSON.stringify(k.allowedModels),
      JSON.stringify(k.allowedProviders),
      k.monthlyCreditQuota,
      k.createdAt,
      k.revokedAt ?? null,
    ]);
  }

  async findApiKeyByHash(hashHex: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.query("SELECT * FROM api_keys WHERE hash_hex = $1", [hashHex]);
    return rows[0] && toApiKey(rows[0]);
  }

  async listApiKeys(options: { owner?: string; includeRevoked?: boolean }): Promise<ApiKeyRecord[]> {
    const args: unknown[] = [];
    const where = ["TRUE"];
    if (options.owner) where.push(`owner = $${args.push(options.owner)}`);
    if (!options.includeRevoked) where.push("revoked_at IS NULL");
    return (
      await this.query(`SELECT * FROM api_keys WHERE ${where.join(" AND ")} ORDER BY created_at, id`, args)
    ).rows.map(toApiKey);
  }

  async revokeApiKey(id: string, at: number): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.query(
      "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING *",
      [id, at],
    );
    return rows[0] && toApiKey(rows[0]);
  }

  async creditsSpentInMonth(owner: string, month: number): Promise<number> {
    const { rows } = await this.query("SELECT credits FROM monthly_credits WHERE owner = $1 AND month = $2", [
      owner,
      month,
    ]);
    return Number(rows[0]?.credits ?? 0);
  }

  async claimIdempotencyKey(r: IdempotencyRecord, notBefore: number): Promise<IdempotencyRecord> {
    // One round trip when the key is free (the usual case), two when another record holds it.
    const claimed = await this.query(CLAIM_IDEMPOTENCY_KEY("$1", "$2", "$3", "$4", "$5", "$6"), [
      r.owner,
      r.key,
      r.fingerprint,
      r.generationId,
      r.createdAt,
      notBefore,
    ]);
    if (claimed.rows[0]) return toIdempotency(claimed.rows[0]);
    const { rows } = await this.query("SELECT * FROM idempotency_keys WHERE owner = $1 AND key = $2", [r.owner, r.key]);
    return toIdempotency(rows[0]);
  }

  async usageTotals(owner: string, now = new Date()): Promise<UsageTotals> {
    const { day, month } = usagePeriods(now);
    const { rows } = await this.query(
      USAGE_SQL((n) => `$${n}`),
      [owner, day, month],
    );
    return toUsageTotals(rows[0]);
  }

  async releaseIdempotencyKey(owner: string, key: string, generationId: string): Promise<void> {
    await this.query("DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND generation_id = $3", [
      owner,
      key,
      generationId,
    ]);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

function toGeneration(row: Row): GenerationRecord {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) {
    const value = row[column];
    if (value !== null && value !== undefined) out[key] = NUMERIC.has(key) ? Number(value) : value;
  }
  return out as unknown as GenerationRecord;
}
