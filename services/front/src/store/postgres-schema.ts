import { POSTGRES_OAUTH_TABLES } from "../oauth/oauth-store.ts";
import { POSTGRES_GALLERY_TABLES } from "../gallery/gallery-schema.ts";
import { POSTGRES_IMAGE_BLOBS_TABLE } from "../images/blob-store.ts";
import { POSTGRES_PREFERENCES_TABLE } from "../profile/profile-store.ts";
import { POSTGRES_WEBHOOK_TABLES } from "../webhooks/webhook-schema.ts";
import { POSTGRES_OUTBOX_TABLE } from "../webhooks/webhook-outbox.ts";
import { POSTGRES_MONTHLY_CREDITS } from "./monthly-credits.ts";
import { POSTGRES_INTEGRATION_TABLES } from "../integrations/integration-store.ts";

/**
 * The PostgreSQL schema, as numbered migrations applied in order at start (under an advisory
 * lock, so replicas starting together do not race). Append new steps; never edit an applied one.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE generations (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, key_id TEXT NOT NULL, status TEXT NOT NULL,
     operation TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, prompt TEXT NOT NULL,
     request_json TEXT NOT NULL, metadata_json TEXT NOT NULL, created_at BIGINT NOT NULL,
     completed_at BIGINT, cost_credits DOUBLE PRECISION NOT NULL, cost_usd DOUBLE PRECISION NOT NULL,
     error_reason TEXT, error_message TEXT);
   CREATE INDEX generations_owner ON generations (owner, created_at DESC);
   CREATE TABLE images (
     id TEXT PRIMARY KEY, generation_id TEXT NOT NULL, owner TEXT NOT NULL, idx INTEGER NOT NULL,
     path TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, size_bytes BIGINT NOT NULL,
     format TEXT NOT NULL, seed BIGINT);
   CREATE INDEX images_generation ON images (generation_id, idx);
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY, hash_hex TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, name TEXT NOT NULL,
     tier TEXT NOT NULL, admin INTEGER NOT NULL, allowed_models TEXT NOT NULL, allowed_providers TEXT NOT NULL,
     monthly_credit_quota DOUBLE PRECISION NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT);
   CREATE TABLE idempotency_keys (
     owner TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, generation_id TEXT NOT NULL,
     created_at BIGINT NOT NULL, PRIMARY KEY (owner, key));`,
  // Leases move to the shared database so any replica recovers another's interrupted work.
  `CREATE TABLE generation_leases (
     generation_id TEXT PRIMARY KEY, owner TEXT NOT NULL, holder TEXT NOT NULL, expires_at BIGINT NOT NULL);
   CREATE INDEX generation_leases_expiry ON generation_leases (expires_at);`,
  POSTGRES_MONTHLY_CREDITS,
  // Seed 004's measured `performance`: when a generation was handed to a provider.
  `ALTER TABLE generations ADD COLUMN dispatched_at BIGINT;
   CREATE INDEX generations_completed ON generations (completed_at) WHERE status = 'completed';`,
  // The NSFW score of each stored image (vision/screen-output-image.ts); NULL when none ran.
  `ALTER TABLE images ADD COLUMN nsfw_score DOUBLE PRECISION;`,
  // The gallery, preferences and webhooks join the shared database: every feature through any replica.
  POSTGRES_GALLERY_TABLES,
  POSTGRES_PREFERENCES_TABLE,
  POSTGRES_WEBHOOK_TABLES,
  // Image bytes beside the rows, so replicas with separate data dirs serve each other's images.
  POSTGRES_IMAGE_BLOBS_TABLE,
  // Webhook deliveries as a durable outbox any replica drains.
  POSTGRES_OUTBOX_TABLE,
  // Dropbox / Google Drive integrations and their durable upload queue.
  POSTGRES_INTEGRATION_TABLES,
  // OAuth apps and the authorization server's artifacts (issue 16), and which app made a generation.
  POSTGRES_OAUTH_TABLES,
  `ALTER TABLE generations ADD COLUMN oauth_client_id TEXT;`,
];
