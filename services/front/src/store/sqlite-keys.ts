import type { DatabaseSync } from "node:sqlite";
import type { ApiKeyRecord, IdempotencyRecord } from "./api-key-record.ts";

/** Tables for keys and idempotency records in the embedded database (see SqliteStore). */
export const KEY_MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS api_keys (
     id TEXT PRIMARY KEY, hash_hex TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, name TEXT NOT NULL,
     tier TEXT NOT NULL, admin INTEGER NOT NULL, allowed_models TEXT NOT NULL, allowed_providers TEXT NOT NULL,
     monthly_credit_quota REAL NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)`,
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
     owner TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, generation_id TEXT NOT NULL,
     created_at INTEGER NOT NULL, PRIMARY KEY (owner, key))`,
];

type Row = Record<string, string | number | null>;

/**
 * Claims an idempotency key (owner, key, fingerprint, generation, created at) unless a record
 * created at or after `notBefore` holds it: returns the new row, or none when the key stays held.
 * The same text on SQLite and PostgreSQL, given each one's placeholders.
 */
export const CLAIM_IDEMPOTENCY_KEY = (...p: [string, string, string, string, string, string]): string =>
  `INSERT INTO idempotency_keys VALUES (${p.slice(0, 5).join(", ")})
   ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, generation_id = excluded.generation_id,
     created_at = excluded.created_at
   WHERE idempotency_keys.created_at < ${p[5]}
   RETURNING *`;

/** Key and idempotency queries over one node:sqlite connection. */
export class SqliteKeys {
  constructor(private readonly db: DatabaseSync) {}

  insert(k: ApiKeyRecord): void {
    this.db
      .prepare("INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .run(
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
      );
  }

  byHash(hashHex: string): ApiKeyRecord | undefined {
    const row = this.db.prepare("SELECT * FROM api_keys WHERE hash_hex = ?").get(hashHex) as Row | undefined;
    return row && toApiKey(row);
  }

  list(options: { owner?: string; includeRevoked?: boolean }): ApiKeyRecord[] {
    const where = ["1 = 1"];
    const args: string[] = [];
    if (options.owner) {
      where.push("owner = ?");
      args.push(options.owner);
    }
    if (!options.includeRevoked) where.push("revoked_at IS NULL");
    const rows = this.db
      .prepare(`SELECT * FROM api_keys WHERE ${where.join(" AND ")} ORDER BY created_at, id`)
      .all(...args) as Row[];
    return rows.map(toApiKey);
  }

  revoke(id: string, at: number): ApiKeyRecord | undefined {
    this.db.prepare("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?").run(at, id);
    const row = this.db.prepare("SELECT * FROM api_keys WHERE id = ?").get(id) as Row | undefined;
    return row && toApiKey(row);
  }

  claim(r: IdempotencyRecord, notBefore: number): IdempotencyRecord {
    // One write: the key is ours if it was free or its record expired (which gives the key up);
    // otherwise the record that holds it is read.
    const claimed = this.db
      .prepare(CLAIM_IDEMPOTENCY_KEY("?", "?", "?", "?", "?", "?"))
      .get(r.owner, r.key, r.fingerprint, r.generationId, r.createdAt, notBefore) as Row | undefined;
    if (claimed) return toIdempotency(claimed);
    const row = this.db
      .prepare("SELECT * FROM idempotency_keys WHERE owner = ? AND key = ?")
      .get(r.owner, r.key) as Row;
    return toIdempotency(row);
  }
}

/** Row → record; shared with the PostgreSQL store, whose columns are the same. */
export function toApiKey(r: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(r.id),
    hashHex: String(r.hash_hex),
    owner: String(r.owner),
    name: String(r.name),
    tier: String(r.tier),
    admin: Number(r.admin) === 1 || r.admin === true,
    allowedModels: JSON.parse(String(r.allowed_models)) as string[],
    allowedProviders: JSON.parse(String(r.allowed_providers)) as string[],
    monthlyCreditQuota: Number(r.monthly_credit_quota),
    createdAt: Number(r.created_at),
    revokedAt: r.revoked_at === null || r.revoked_at === undefined ? undefined : Number(r.revoked_at),
  };
}

/** Row → record; shared with the PostgreSQL store. */
export function toIdempotency(r: Record<string, unknown>): IdempotencyRecord {
  return {
    owner: String(r.owner),
    key: String(r.key),
    fingerprint: String(r.fingerprint),
    generationId: String(r.generation_id),
    createdAt: Number(r.created_at),
  };
}
