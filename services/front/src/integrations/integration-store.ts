/** The services an owner can connect. */
export type ServiceId = "dropbox" | "google_drive";
export const SERVICE_IDS: readonly ServiceId[] = ["dropbox", "google_drive"];

export type IntegrationStatus = "active" | "needs_reauth" | "disconnected";
export type UploadStatus = "pending" | "uploading" | "completed" | "failed";

export interface IntegrationSettingsRecord {
  readonly autoUpload: boolean;
  readonly folderPath: string;
  readonly fileNaming: string;
}

/** One connected service account. `sealedTokens` is the encrypted token set (secrets-box.ts). */
export interface IntegrationRecord {
  readonly id: string;
  readonly owner: string;
  readonly service: ServiceId;
  readonly accountId: string;
  readonly accountName: string;
  readonly accountEmail: string;
  readonly settings: IntegrationSettingsRecord;
  readonly status: IntegrationStatus;
  readonly sealedTokens: string;
  readonly connectedAt: number;
}

/** One image on its way to one integration: an entry of the durable upload queue. */
export interface UploadRecord {
  readonly id: string;
  readonly integrationId: string;
  readonly owner: string;
  readonly imageId: string;
  /** The generation's id, or the processed image's ("proc_…"). */
  readonly generationId: string;
  /** Where the bytes are in our blob store ("gen_x/img_y.png"). */
  readonly blobPath: string;
  /** "png" | "jpg" | "webp" */
  readonly format: string;
  readonly model: string;
  readonly prompt: string;
  readonly index: number;
  readonly status: UploadStatus;
  readonly remotePath: string;
  /** Upload requests sent to the service so far. */
  readonly attempts: number;
  readonly lastError: string;
  /** When the next attempt is due (ms). */
  readonly nextAt: number;
  /** When the image was finished (ms): {date} and {time} of the file name. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What became of a claimed upload's attempt. */
export interface UploadOutcome {
  readonly status: "pending" | "completed" | "failed";
  readonly attempts: number;
  readonly remotePath?: string;
  readonly lastError: string;
  readonly nextAt?: number;
}

/**
 * Integrations and their upload queue, on SQLite or the shared PostgreSQL (one suite:
 * store/state-families.test.ts). An upload is claimed with a lease by one replica at a time
 * (status "uploading"); a replica that dies mid-upload leaves its claim to expire and any
 * replica retries it.
 */
export interface IntegrationStore {
  insert(record: IntegrationRecord): Promise<void>;
  /** The integration if it belongs to `owner`; another owner's reads as absent. */
  get(owner: string, id: string): Promise<IntegrationRecord | undefined>;
  /** By id alone: for the upload worker, which acts for every owner. */
  byId(id: string): Promise<IntegrationRecord | undefined>;
  /** The owner's integrations, newest first. */
  list(owner: string): Promise<IntegrationRecord[]>;
  updateSettings(owner: string, id: string, settings: IntegrationSettingsRecord): Promise<boolean>;
  setStatus(id: string, status: IntegrationStatus): Promise<void>;
  setTokens(id: string, sealedTokens: string): Promise<void>;
  enqueueUploads(uploads: readonly UploadRecord[]): Promise<void>;
  /**
   * Claims up to `limit` uploads due by `now` (pending, or uploading under an expired lease) for
   * `holder` until `now + leaseMs`, marks them uploading and returns them. Two replicas never
   * claim one upload at once.
   */
  claimDueUploads(now: number, holder: string, leaseMs: number, limit: number): Promise<UploadRecord[]>;
  /** Records an attempt's outcome if `holder` still holds the claim; false when it lost it. */
  finishUpload(id: string, holder: string, outcome: UploadOutcome, now: number): Promise<boolean>;
  /** Fails every pending or uploading upload of the integration with `error`; returns them. */
  failOpenUploads(integrationId: string, error: string, now: number): Promise<UploadRecord[]>;
  /** The integration's uploads, newest first. */
  listUploads(integrationId: string, limit: number): Promise<UploadRecord[]>;
}

export function toIntegration(r: Record<string, unknown>): IntegrationRecord {
  return {
    id: String(r.id),
    owner: String(r.owner),
    service: String(r.service) as ServiceId,
    accountId: String(r.account_id),
    accountName: String(r.account_name),
    accountEmail: String(r.account_email),
    settings: {
      autoUpload: Number(r.auto_upload) === 1,
      folderPath: String(r.folder_path),
      fileNaming: String(r.file_naming),
    },
    status: String(r.status) as IntegrationStatus,
    sealedTokens: String(r.sealed_tokens),
    connectedAt: Number(r.connected_at),
  };
}

/** Column order of an integration insert. */
export function integrationValues(r: IntegrationRecord): Array<string | number> {
  return [
    r.id,
    r.owner,
    r.service,
    r.accountId,
    r.accountName,
    r.accountEmail,
    r.settings.autoUpload ? 1 : 0,
    r.settings.folderPath,
    r.settings.fileNaming,
    r.status,
    r.sealedTokens,
    r.connectedAt,
  ];
}

export function toUpload(r: Record<string, unknown>): UploadRecord {
  return {
    id: String(r.id),
    integrationId: String(r.integration_id),
    owner: String(r.owner),
    imageId: String(r.image_id),
    generationId: String(r.generation_id),
    blobPath: String(r.blob_path),
    format: String(r.format),
    model: String(r.model),
    prompt: String(r.prompt),
    index: Number(r.idx),
    status: String(r.status) as UploadStatus,
    remotePath: String(r.remote_path),
    attempts: Number(r.attempts),
    lastError: String(r.last_error),
    nextAt: Number(r.next_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Column order of an upload insert (lease_holder and lease_until follow, empty). */
export function uploadValues(u: UploadRecord): Array<string | number> {
  return [
    u.id,
    u.integrationId,
    u.owner,
    u.imageId,
    u.generationId,
    u.blobPath,
    u.format,
    u.model,
    u.prompt,
    u.index,
    u.status,
    u.remotePath,
    u.attempts,
    u.lastError,
    u.nextAt,
    u.createdAt,
    u.updatedAt,
  ];
}

export const UPLOAD_COLUMNS =
  "id, integration_id, owner, image_id, generation_id, blob_path, format, model, prompt, idx, status, remote_path, attempts, last_error, next_at, created_at, updated_at";
export const INTEGRATION_COLUMNS =
  "id, owner, service, account_id, account_name, account_email, auto_upload, folder_path, file_naming, status, sealed_tokens, connected_at";

const INTEGRATIONS = `id TEXT PRIMARY KEY, owner TEXT NOT NULL, service TEXT NOT NULL, account_id TEXT NOT NULL,
  account_name TEXT NOT NULL, account_email TEXT NOT NULL, auto_upload INTEGER NOT NULL, folder_path TEXT NOT NULL,
  file_naming TEXT NOT NULL, status TEXT NOT NULL, sealed_tokens TEXT NOT NULL, connected_at BIGINT NOT NULL`;
const UPLOADS = `id TEXT PRIMARY KEY, integration_id TEXT NOT NULL, owner TEXT NOT NULL, image_id TEXT NOT NULL,
  generation_id TEXT NOT NULL, blob_path TEXT NOT NULL, format TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL,
  idx INTEGER NOT NULL, status TEXT NOT NULL, remote_path TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT NOT NULL,
  next_at BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  lease_holder TEXT NOT NULL DEFAULT '', lease_until BIGINT NOT NULL DEFAULT 0`;

/** Created if missing when SQLite opens. */
export const SQLITE_INTEGRATION_TABLES = [
  `CREATE TABLE IF NOT EXISTS integrations (${INTEGRATIONS})`,
  "CREATE INDEX IF NOT EXISTS integrations_owner ON integrations (owner, connected_at)",
  `CREATE TABLE IF NOT EXISTS integration_uploads (${UPLOADS})`,
  "CREATE INDEX IF NOT EXISTS integration_uploads_due ON integration_uploads (status, next_at)",
  "CREATE INDEX IF NOT EXISTS integration_uploads_by_integration ON integration_uploads (integration_id, created_at)",
];

/** One step of POSTGRES_MIGRATIONS. */
export const POSTGRES_INTEGRATION_TABLES = `CREATE TABLE integrations (${INTEGRATIONS});
  CREATE INDEX integrations_owner ON integrations (owner, connected_at);
  CREATE TABLE integration_uploads (${UPLOADS});
  CREATE INDEX integration_uploads_due ON integration_uploads (next_at) WHERE status IN ('pending', 'uploading');
  CREATE INDEX integration_uploads_by_integration ON integration_uploads (integration_id, created_at);`;
