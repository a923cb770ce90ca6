import { join } from "node:path";
import type { Logger } from "@imagegen/server-kit";
import type { GalleryStore } from "../gallery/gallery-store.ts";
import { s3LocationFromUrl } from "@imagegen/image-urls/s3-location";
import { FileBlobStore, PostgresBlobStore, S3BlobStore, type BlobStore } from "../images/blob-store.ts";
import { PostgresGalleryStore } from "../gallery/postgres-gallery-store.ts";
import { SqliteGalleryStore } from "../gallery/sqlite-gallery-store.ts";
import type { LeaseStore } from "../leases/lease-store.ts";
import { PostgresLeases } from "../leases/postgres-leases.ts";
import { SqliteLeases } from "../leases/sqlite-leases.ts";
import { PostgresProfileStore } from "../profile/postgres-profile-store.ts";
import type { ProfileStore } from "../profile/profile-store.ts";
import { SqliteProfileStore } from "../profile/sqlite-profile-store.ts";
import { PostgresWebhookStore } from "../webhooks/postgres-webhook-store.ts";
import { SqliteWebhookStore } from "../webhooks/sqlite-webhook-store.ts";
import type { WebhookStore } from "../webhooks/webhook-store.ts";
import type { WebhookOutbox } from "../webhooks/webhook-outbox.ts";
import { PostgresWebhookOutbox } from "../webhooks/postgres-webhook-outbox.ts";
import { SqliteWebhookOutbox } from "../webhooks/sqlite-webhook-outbox.ts";
import type { IntegrationStore } from "../integrations/integration-store.ts";
import { PostgresIntegrationStore } from "../integrations/postgres-integration-store.ts";
import { SqliteIntegrationStore } from "../integrations/sqlite-integration-store.ts";
import { PostgresOAuthStore } from "../oauth/postgres-oauth-store.ts";
import type { OAuthStore } from "../oauth/oauth-store.ts";
import { SqliteOAuthStore } from "../oauth/sqlite-oauth-store.ts";
import { openSqlite } from "./open-sqlite.ts";
import { PostgresDatabase } from "./postgres-database.ts";
import { PostgresStore } from "./postgres-store.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { Store } from "./store.ts";

/** Every table family the front persists, over one database connection (or pool). */
export interface State {
  readonly store: Store;
  readonly gallery: GalleryStore;
  readonly profiles: ProfileStore;
  readonly webhooks: WebhookStore;
  readonly outbox: WebhookOutbox;
  /** Connected Dropbox / Google Drive accounts and the upload queue. */
  readonly integrations: IntegrationStore;
  readonly leases: LeaseStore;
  /** OAuth apps, grants, codes and tokens (oauth/). */
  readonly oauth: OAuthStore;
  /** Image bytes: object storage (IMAGEGEN_BLOB_URL), else beside the rows (PostgreSQL) unless IMAGEGEN_BLOBS=files, else files. */
  readonly blobs: BlobStore;
  /** Whether the state is shared by replicas (PostgreSQL) or this machine's (SQLite). */
  readonly shared: boolean;
  close(): Promise<void>;
}

/**
 * Opens the state the environment asks for, migrated: PostgreSQL when DATABASE_URL is set
 * (several replicas, nothing else in common), otherwise one SQLite connection to the file under
 * the data dir, shared by every family. No other module opens a database.
 */
export async function openState(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): Promise<State> {
  const url = env.DATABASE_URL;
  if (url) {
    const db = await PostgresDatabase.open(url, logger);
    // Leases keep a small pool of their own to the same database: a heartbeat must not queue
    // behind a busy request pool (postgres-leases.ts).
    const leases = new PostgresLeases(url);
    const store = new PostgresStore(db);
    return {
      store,
      gallery: new PostgresGalleryStore(db),
      profiles: new PostgresProfileStore(db),
      webhooks: new PostgresWebhookStore(db),
      outbox: new PostgresWebhookOutbox(db),
      integrations: new PostgresIntegrationStore(db),
      leases,
      oauth: new PostgresOAuthStore(db),
      blobs: openBlobs(dataDir, env, db),
      shared: true,
      async close() {
        await leases.close();
        await store.close();
      },
    };
  }
  const db = openSqlite(join(dataDir, "imagegen.sqlite"));
  const store = new SqliteStore(db);
  return {
    store,
    gallery: new SqliteGalleryStore(db),
    profiles: new SqliteProfileStore(db),
    webhooks: new SqliteWebhookStore(db),
    outbox: new SqliteWebhookOutbox(db),
    integrations: new SqliteIntegrationStore(db),
    leases: new SqliteLeases(db),
    oauth: new SqliteOAuthStore(db),
    blobs: openBlobs(dataDir, env),
    shared: false,
    close: () => store.close(),
  };
}

/**
 * Where image bytes go: S3-compatible object storage when IMAGEGEN_BLOB_URL is set (large
 * deployments); else PostgreSQL with the rows once DATABASE_URL is set, so replicas need nothing
 * else in common; else files under the data dir. IMAGEGEN_BLOBS=files keeps files with
 * PostgreSQL (replicas sharing one volume, as before; the gateway must read the same folder).
 */
export function openBlobs(dataDir: string, env: NodeJS.ProcessEnv, db?: PostgresDatabase): BlobStore {
  const choice = env.IMAGEGEN_BLOBS ?? "";
  if (choice !== "" && choice !== "files" && choice !== "postgres")
    throw new Error(`IMAGEGEN_BLOBS must be "files" or "postgres", not "${choice}"`);
  if (env.IMAGEGEN_BLOB_URL) return new S3BlobStore(s3LocationFromUrl(env.IMAGEGEN_BLOB_URL));
  return db && choice !== "files" ? new PostgresBlobStore(db) : new FileBlobStore(join(dataDir, "images"));
}
