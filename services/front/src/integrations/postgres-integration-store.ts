import type { PostgresDatabase } from "../store/postgres-database.ts";
import {
  INTEGRATION_COLUMNS,
  integrationValues,
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

const placeholders = (n: number): string => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(", ");

/** Integrations and the upload queue in the shared PostgreSQL: any replica uploads what any other queued. */
export class PostgresIntegrationStore implements IntegrationStore {
  constructor(private readonly db: PostgresDatabase) {}

  async insert(record: IntegrationRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO integrations (${INTEGRATION_COLUMNS}) VALUES (${placeholders(12)})`,
      integrationValues(record),
    );
  }

  async get(owner: string, id: string): Promise<IntegrationRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM integrations WHERE owner = $1 AND id = $2", [owner, id]);
    return rows[0] ? toIntegration(rows[0]) : undefined;
  }

  async byId(id: string): Promise<IntegrationRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM integrations WHERE id = $1", [id]);
    return rows[0] ? toIntegration(rows[0]) : undefined;
  }

  async list(owner: string): Promise<IntegrationRecord[]> {
    const { rows } = await this.db.query(
      "SELECT * FROM integrations WHERE owner = $1 ORDER BY connected_at DESC, id DESC",
      [owner],
    );
    return rows.map(toIntegration);
  }

  async updateSettings(owner: string, id: string, s: IntegrationSettingsRecord): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "UPDATE integrations SET auto_upload = $1, folder_path = $2, file_naming = $3 WHERE owner = $4 AND id = $5",
      [s.autoUpload ? 1 : 0, s.folderPath, s.fileNaming, owner, id],
    );
    return rowCount === 1;
  }

  async setStatus(id: string, status: IntegrationStatus): Promise<void> {
    await this.db.query("UPDATE integrations SET status = $1 WHERE id = $2", [status, id]);
  }

  async setTokens(id: string, sealedTokens: string): Promise<void> {
    await this.db.query("UPDATE integrations SET sealed_tokens = $1 WHERE id = $2", [sealedTokens, id]);
  }

  async enqueueUploads(uploads: readonly UploadRecord[]): Promise<void> {
    if (uploads.length === 0) return;
    await this.db.transaction(async (query) => {
      for (const u of uploads)
        await query(
          `INSERT INTO integration_uploads (${UPLOAD_COLUMNS}) VALUES (${placeholders(17)})`,
          uploadValues(u),
        );
    });
  }

  async claimDueUploads(now: number, holder: string, leaseMs: number, limit: number): Promise<UploadRecord[]> {
    // One statement: uploads another replica is claiming right now are skipped, not waited for.
    const { rows } = await this.db.query(
      `UPDATE integration_uploads SET status = 'uploading', lease_holder = $1, lease_until = $2, updated_at = $3
       WHERE id IN (
         SELECT id FROM integration_uploads WHERE status IN ('pending', 'uploading') AND next_at <= $3 AND lease_until < $3
         ORDER BY next_at LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [holder, now + leaseMs, now, limit],
    );
    return rows.map(toUpload).sort((a, b) => a.nextAt - b.nextAt);
  }

  async finishUpload(id: string, holder: string, o: UploadOutcome, now: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE integration_uploads SET status = $1, attempts = $2, remote_path = COALESCE($3, remote_path), last_error = $4,
         next_at = COALESCE($5, next_at), updated_at = $6, lease_holder = '', lease_until = 0
       WHERE id = $7 AND lease_holder = $8 AND status = 'uploading'`,
      [o.status, o.attempts, o.remotePath ?? null, o.lastError, o.nextAt ?? null, now, id, holder],
    );
    return rowCount === 1;
  }

  async failOpenUploads(integrationId: string, error: string, now: number): Promise<UploadRecord[]> {
    const { rows } = await this.db.query(
      `UPDATE integration_uploads SET status = 'failed', last_error = $1, updated_at = $2, lease_holder = '', lease_until = 0
       WHERE integration_id = $3 AND status IN ('pending', 'uploading') RETURNING *`,
      [error, now, integrationId],
    );
    return rows.map(toUpload);
  }

  async listUploads(integrationId: string, limit: number): Promise<UploadRecord[]> {
    const { rows } = await this.db.query(
      "SELECT * FROM integration_uploads WHERE integration_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
      [integrationId, limit],
    );
    return rows.map(toUpload);
  }
}
