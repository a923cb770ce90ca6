import type { DatabaseSync } from "node:sqlite";
import {
  INTEGRATION_COLUMNS,
  integrationValues,
  SQLITE_INTEGRATION_TABLES,
  toIntegration,
  toUpload,
  UPLOAD_COLUMNS,
  uploadValues,
  type IntegrationRecord,
  type IntegrationSettingsRecord,
  type IntegrationStatus,
  type IntegrationStore,
  type UploadOutcome,
  type UploadRecord,
} from "./integration-store.ts";

type Row = Record<string, string | number | null>;

/** Integrations and the upload queue in the embedded SQLite file (processes sharing the file share it). */
export class SqliteIntegrationStore implements IntegrationStore {
  constructor(private readonly db: DatabaseSync) {
    for (const sql of SQLITE_INTEGRATION_TABLES) this.db.exec(sql);
  }

  async insert(record: IntegrationRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO integrations (${INTEGRATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(...integrationValues(record));
  }

  async get(owner: string, id: string): Promise<IntegrationRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM integrations WHERE owner = ? AND id = ?").get(owner, id) as
      | Row
      | undefined;
    return row ? toIntegration(row) : undefined;
  }

  async byId(id: string): Promise<IntegrationRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM integrations WHERE id = ?").get(id) as Row | undefined;
    return row ? toIntegration(row) : undefined;
  }

  async list(owner: string): Promise<IntegrationRecord[]> {
    return (
      this.db
        .prepare("SELECT * FROM integrations WHERE owner = ? ORDER BY connected_at DESC, id DESC")
        .all(owner) as Row[]
    ).map(toIntegration);
  }

  async updateSettings(owner: string, id: string, s: IntegrationSettingsRecord): Promise<boolean> {
    const changed = this.db
      .prepare("UPDATE integrations SET auto_upload = ?, folder_path = ?, file_naming = ? WHERE owner = ? AND id = ?")
      .run(s.autoUpload ? 1 : 0, s.folderPath, s.fileNaming, owner, id);
    return Number(changed.changes) === 1;
  }

  async setStatus(id: string, status: IntegrationStatus): Promise<void> {
    this.db.prepare("UPDATE integrations SET status = ? WHERE id = ?").run(status, id);
  }

  async setTokens(id: string, sealedTokens: string): Promise<void> {
    this.db.prepare("UPDATE integrations SET sealed_tokens = ? WHERE id = ?").run(sealedTokens, id);
  }

  async enqueueUploads(uploads: readonly UploadRecord[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO integration_uploads (${UPLOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.exec("BEGIN");
    try {
      for (const u of uploads) insert.run(...uploadValues(u));
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async claimDueUploads(now: number, holder: string, leaseMs: number, limit: number): Promise<UploadRecord[]> {
    // One immediate transaction: another process on the file waits for it, then sees the claims.
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const rows = this.db
        .prepare(
          "SELECT * FROM integration_uploads WHERE status IN ('pending', 'uploading') AND next_at <= ? AND lease_until < ? ORDER BY next_at LIMIT ?",
        )
        .all(now, now, limit) as Row[];
      const claim = this.db.prepare(
        "UPDATE integration_uploads SET status = 'uploading', lease_holder = ?, lease_until = ?, updated_at = ? WHERE id = ?",
      );
      for (const row of rows) claim.run(holder, now + leaseMs, now, row.id as string);
      this.db.exec("COMMIT");
      return rows.map((row) => toUpload({ ...row, status: "uploading", updated_at: now }));
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async finishUpload(id: string, holder: string, o: UploadOutcome, now: number): Promise<boolean> {
    const changed = this.db
      .prepare(
        `UPDATE integration_uploads SET status = ?, attempts = ?, remote_path = COALESCE(?, remote_path), last_error = ?,
           next_at = COALESCE(?, next_at), updated_at = ?, lease_holder = '', lease_until = 0
         WHERE id = ? AND lease_holder = ? AND status = 'uploading'`,
      )
      .run(o.status, o.attempts, o.remotePath ?? null, o.lastError, o.nextAt ?? null, now, id, holder);
    return Number(changed.changes) === 1;
  }

  async failOpenUploads(integrationId: string, error: string, now: number): Promise<UploadRecord[]> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const rows = this.db
        .prepare("SELECT * FROM integration_uploads WHERE integration_id = ? AND status IN ('pending', 'uploading')")
        .all(integrationId) as Row[];
      this.db
        .prepare(
          "UPDATE integration_uploads SET status = 'failed', last_error = ?, updated_at = ?, lease_holder = '', lease_until = 0 WHERE integration_id = ? AND status IN ('pending', 'uploading')",
        )
        .run(error, now, integrationId);
      this.db.exec("COMMIT");
      return rows.map((row) => toUpload({ ...row, status: "failed", last_error: error, updated_at: now }));
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  async listUploads(integrationId: string, limit: number): Promise<UploadRecord[]> {
    return (
      this.db
        .prepare("SELECT * FROM integration_uploads WHERE integration_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
        .all(integrationId, limit) as Row[]
    ).map(toUpload);
  }
}
