/**
 * The webhook tables, for both backends. SQLite's are created if missing at open (data dirs from
 * before keep theirs); PostgreSQL's are one step of POSTGRES_MIGRATIONS.
 */
export const SQLITE_WEBHOOK_TABLES = [
  `CREATE TABLE IF NOT EXISTS webhooks (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
     active INTEGER NOT NULL, max_retries INTEGER NOT NULL, retry_delay_seconds INTEGER NOT NULL,
     created_at INTEGER NOT NULL, last_triggered_at INTEGER)`,
  // Every finished generation lists its owner's webhooks: an index, not a scan of everyone's.
  "CREATE INDEX IF NOT EXISTS webhooks_owner ON webhooks (owner, created_at)",
  `CREATE TABLE IF NOT EXISTS webhook_deliveries (
     webhook_id TEXT NOT NULL, message_id TEXT NOT NULL, event TEXT NOT NULL, attempt INTEGER NOT NULL,
     response_status INTEGER NOT NULL, error TEXT NOT NULL, attempted_at INTEGER NOT NULL, status TEXT NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, attempted_at DESC)",
  `CREATE TABLE IF NOT EXISTS webhook_default_secrets (
     owner TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at INTEGER NOT NULL)`,
];

export const POSTGRES_WEBHOOK_TABLES = `
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
    active INTEGER NOT NULL, max_retries INTEGER NOT NULL, retry_delay_seconds INTEGER NOT NULL,
    created_at BIGINT NOT NULL, last_triggered_at BIGINT);
  CREATE INDEX webhooks_owner ON webhooks (owner, created_at);
  CREATE TABLE webhook_deliveries (
    webhook_id TEXT NOT NULL, message_id TEXT NOT NULL, event TEXT NOT NULL, attempt INTEGER NOT NULL,
    response_status INTEGER NOT NULL, error TEXT NOT NULL, attempted_at BIGINT NOT NULL, status TEXT NOT NULL);
  CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, attempted_at DESC);
  CREATE TABLE webhook_default_secrets (owner TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at BIGINT NOT NULL);`;
