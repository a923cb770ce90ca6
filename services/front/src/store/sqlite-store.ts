import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "./open-sqlite.ts";
import { SqliteGroupCommit } from "./sqlite-group-commit.ts";
import { KEY_MIGRATIONS, SqliteKeys } from "./sqlite-keys.ts";
import { toUsageTotals, USAGE_SQL, usagePeriods, type UsageTotals } from "./usage-totals.ts";
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
import { GENERATION_COLUMNS, IMAGE_INSERT_COLUMNS, imageFromRow, imageToRow } from "./store-rows.ts";
import { SQLITE_MONTHLY_CREDITS, SQLITE_MONTHLY_CREDITS_BACKFILL } from "./monthly-credits.ts";
import type { Lease } from "../leases/lease-store.ts";
import { SQLITE_HOLD_LEASE, SQLITE_LEASES_TABLE, SQLITE_RELEASE_LEASE } from "../leases/sqlite-leases.ts";

const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS generations (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, key_id TEXT NOT NULL, status TEXT NOT NULL,
     operation TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, prompt TEXT NOT NULL,
     request_json TEXT NOT NULL, metadata_json TEXT NOT NULL, created_at INTEGER NOT NULL,
     completed_at INTEGER, cost_credits REAL NOT NULL, cost_usd REAL NOT NULL,
     error_reason TEXT, error_message TEXT)`,
  `CREATE INDEX IF NOT EXISTS generations_owner ON generations (owner, created_at DESC)`,
  `CREATE TABLE IF NOT EXISTS images (
     id TEXT PRIMARY KEY, generation_id TEXT NOT NULL, owner TEXT NOT NULL, idx INTEGER NOT NULL,
     path TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, size_bytes INTEGER NOT NULL,
     format TEXT NOT NULL, seed INTEGER)`,
  `CREATE INDEX IF NOT EXISTS images_generation ON images (generation_id, idx)`,
];

type Row = Record<string, string | number | null>;

const COLUMNS = GENERATION_COLUMNS;
const NOT_TERMINAL = `status NOT IN (${TERMINAL_STATES.map((s) => `'${s}'`).join(", ")})`;

const INSERT_KEYS = Object.keys(COLUMNS) as Array<keyof GenerationRecord>;
// Statement texts built once: the connection's statement cache (open-sqlite.ts) looks a text up
// by its hash, which a string built afresh on every call must compute anew (≈ 1.4 µs a statement).
const INSERT_GENERATION = `INSERT INTO generations (${INSERT_KEYS.map((k) => COLUMNS[k]).join(", ")}) VALUES (${INSERT_KEYS.map(() => "?").join(", ")})`;
const INSERT_IMAGE = `INSERT INTO images (${IMAGE_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
// By the patch's columns, in order: the runner and the sweeper write a handful of shapes.
const UPDATE_SQL = new Map<string, string>();

function updateSql(keys: ReadonlyArray<keyof GenerationRecord>): string {
  const shape = keys.join(",");
  let sql = UPDATE_SQL.get(shape);
  if (!sql) {
    sql = `UPDATE generations SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(", ")} WHERE id = ? AND ${NOT_TERMINAL} RETURNING *`;
    // Only code writes patches, so the shapes are few; the bound is a guard, not a policy.
    if (UPDATE_SQL.size < 256) UPDATE_SQL.set(shape, sql);
  }
  return sql;
}

/** The embedded default: one SQLite file under the data dir (node:sqlite, no native addon). */
export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly keys: SqliteKeys;
  private readonly writes: SqliteGroupCommit;

  /** A file opens a connection of its own (the keys CLI, tests); the front passes its shared one. */
  constructor(fileOrConnection: string | DatabaseSync) {
    this.db = typeof fileOrConnection === "string" ? openSqlite(fileOrConnection) : fileOrConnection;
    this.db.exec("PRAGMA foreign_keys = ON;");
    for (const sql of [...MIGRATIONS, ...KEY_MIGRATIONS, SQLITE_LEASES_TABLE]) this.db.exec(sql);
    // Added after the first release: a data dir from before it gains the column on open.
    const columns = this.db.prepare("PRAGMA table_info(generations)").all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === "dispatched_at"))
      this.db.exec("ALTER TABLE generations ADD COLUMN dispatched_at INTEGER");
    if (!columns.some((c) => c.name === "oauth_client_id"))
      this.db.exec("ALTER TABLE generations ADD COLUMN oauth_client_id TEXT");
    this.db.exec(
      "CREATE INDEX IF NOT EXISTS generations_completed ON generations (completed_at) WHERE status = 'completed'",
    );
    // Added after the first release: SQLite has no ADD COLUMN IF NOT EXISTS.
    const imageColumns = this.db.prepare("PRAGMA table_info(images)").all() as Row[];
    if (!imageColumns.some((c) => c.name === "nsfw_score"))
      this.db.exec("ALTER TABLE images ADD COLUMN nsfw_score REAL");
    const hadTotals =
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'monthly_credits'").get() !==
      undefined;
    for (const sql of SQLITE_MONTHLY_CREDITS) this.db.exec(sql);
    if (!hadTotals) this.db.exec(SQLITE_MONTHLY_CREDITS_BACKFILL);
    this.keys = new SqliteKeys(this.db);
    this.writes = new SqliteGroupCommit(this.db);
  }

  // A generation's own writes go in the turn's group commit (sqlite-group-commit.ts): each is
  // atomic on its own (its savepoint) and committed once its promise resolves.
  async insertGeneration(r: GenerationRecord, lease?: Lease): Promise<void> {
    const values = INSERT_KEYS.map((k) => (r[k] ?? null) as string | number | null);
    await this.writes.run(() => {
      // The lease first, as before: both rows in one commit (each commit is a WAL append).
      if (lease) this.db.prepare(SQLITE_HOLD_LEASE).run(lease.generationId, lease.owner, lease.holder, lease.expiresAt);
      this.db.prepare(INSERT_GENERATION).run(...values);
    });
  }

  async updateGeneration(
    id: string,
    patch: Partial<GenerationRecord>,
    options?: UpdateOptions,
  ): Promise<GenerationRecord> {
    return this.writes.run(() => {
      const { record, applied } = this.applyUpdate(id, patch);
      if (applied) for (const image of options?.images ?? []) this.insertImage(image);
      if (options?.releaseLease) this.db.prepare(SQLITE_RELEASE_LEASE).run(id);
      return record;
    });
  }

  /** `applied`: false when the generation was already terminal and is returned as it is. */
  private applyUpdate(id: string, patch: Partial<GenerationRecord>): { record: GenerationRecord; applied: boolean } {
    const keys = (Object.keys(patch) as Array<keyof GenerationRecord>).filter((k) => k !== "id" && k !== "owner");
    // The row comes back from the UPDATE itself; a terminal row is not updated, and is read as it is.
    const updated = keys.length
      ? (this.db.prepare(updateSql(keys)).get(...keys.map((k) => (patch[k] ?? null) as string | number | null), id) as
          | Row
          | undefined)
      : undefined;
    const row = updated ?? (this.db.prepare("SELECT * FROM generations WHERE id = ?").get(id) as Row | undefined);
    if (!row) throw new Error(`generation ${id} vanished`);
    return { record: toGeneration(row), applied: updated !== undefined };
  }

  async modelTimings(since: number): Promise<ModelTimings[]> {
    return (this.db.prepare(MODEL_TIMINGS_SQL("?")).all(since) as Row[]).map(toTimings);
  }

  async canceledAmong(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare("SELECT id FROM generations WHERE status = 'canceled' AND id IN (SELECT value FROM json_each(?))")
      .all(JSON.stringify(ids)) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  async getGeneration(owner: string, id: string): Promise<GenerationRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM generations WHERE id = ? AND owner = ?").get(id, owner) as
      | Row
      | undefined;
    return row && toGeneration(row);
  }

  async listGenerations(
    owner: string,
    options: { limit: number; status?: string; before?: { createdAt: number; id: string } },
  ): Promise<GenerationRecord[]> {
    const where = ["owner = ?"];
    const args: Array<string | number> = [owner];
    if (options.status) {
      where.push("status = ?");
      args.push(options.status);
    }
    if (options.before) {
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      args.push(options.before.createdAt, options.before.createdAt, options.before.id);
    }
    const sql = `SELECT * FROM generations WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, options.limit) as Row[]).map(toGeneration);
  }

  async insertImages(images: readonly ImageRecord[]): Promise<void> {
    await this.writes.run(() => {
      for (const image of images) this.insertImage(image);
    });
  }

  private insertImage(image: ImageRecord): void {
    this.db.prepare(INSERT_IMAGE).run(...imageToRow(image));
  }

  async deleteImages(generationId: string): Promise<void> {
    this.db.prepare("DELETE FROM images WHERE generation_id = ?").run(generationId);
  }

  async listImages(generationId: string): Promise<ImageRecord[]> {
    const rows = this.db
      .prepare("SELECT * FROM images WHERE generation_id = ? ORDER BY idx")
      .all(generationId) as Row[];
    return rows.map(imageFromRow);
  }

  async getImage(owner: string, imageId: string): Promise<ImageRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM images WHERE id = ? AND owner = ?").get(imageId, owner) as
      | Row
      | undefined;
    return row && imageFromRow(row);
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    this.keys.insert(key);
  }

  async findApiKeyByHash(hashHex: string): Promise<ApiKeyRecord | undefined> {
    return this.keys.byHash(hashHex);
  }

  async listApiKeys(options: { owner?: string; includeRevoked?: boolean }): Promise<ApiKeyRecord[]> {
    return this.keys.list(options);
  }

  async revokeApiKey(id: string, at: number): Promise<ApiKeyRecord | undefined> {
    return this.keys.revoke(id, at);
  }

  async creditsSpentInMonth(owner: string, month: number): Promise<number> {
    const row = this.db
      .prepare("SELECT credits FROM monthly_credits WHERE owner = ? AND month = ?")
      .get(owner, month) as Row | undefined;
    return Number(row?.credits ?? 0);
  }

  async claimIdempotencyKey(record: IdempotencyRecord, notBefore: number): Promise<IdempotencyRecord> {
    return this.keys.claim(record, notBefore);
  }

  async usageTotals(owner: string, now = new Date()): Promise<UsageTotals> {
    const { day, month } = usagePeriods(now);
    return toUsageTotals(this.db.prepare(USAGE_SQL(() => "?")).get(...usageArgs(owner, day, month)) as Row);
  }

  async releaseIdempotencyKey(owner: string, key: string, generationId: string): Promise<void> {
    this.db
      .prepare("DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND generation_id = ?")
      .run(owner, key, generationId);
  }

  async close(): Promise<void> {
    this.writes.flush();
    this.db.close();
  }
}

// "?" placeholders are positional: the owner and periods repeat in the order USAGE_SQL uses them.
function usageArgs(owner: string, day: number, month: number): Array<string | number> {
  return [owner, day, owner, month, owner, month, owner, owner];
}

function toGeneration(row: Row): GenerationRecord {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(COLUMNS)) {
    const value = row[column];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out as unknown as GenerationRecord;
}
