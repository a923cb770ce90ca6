import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../store/open-sqlite.ts";
import { newWebhookSecret } from "./webhook-signature.ts";

export interface WebhookRecord {
  readonly id: string;
  readonly owner: string;
  readonly url: string;
  readonly events: string[];
  /** Kept to sign deliveries; never returned by the API after creation. */
  readonly secret: string;
  readonly active: boolean;
  readonly maxRetries: number;
  readonly retryDelaySeconds: number;
  readonly createdAt: number;
  readonly lastTriggeredAt?: number;
}

export interface DeliveryRecord {
  readonly webhookId: string;
  /** The Standard Webhooks `webhook-id`: one per logical event, the same on every attempt. */
  readonly messageId: string;
  readonly event: string;
  readonly attempt: number;
  readonly responseStatus: number;
  readonly error: string;
  readonly attemptedAt: number;
  readonly status: "delivered" | "failed" | "pending";
}

type Row = Record<string, string | number | null>;

/**
 * Registered webhooks, their delivery log and each owner's default signing secret, in the same
 * SQLite file as the rest of the embedded state (its own connection; WAL lets both write).
 * Secrets are kept as given (HMAC needs the key itself, so they cannot be hashed): the file is
 * as sensitive as the data dir's signing key, and no secret is ever logged or put in an error.
 */
export class WebhookStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS webhooks (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
      active INTEGER NOT NULL, max_retries INTEGER NOT NULL, retry_delay_seconds INTEGER NOT NULL,
      created_at INTEGER NOT NULL, last_triggered_at INTEGER)`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS webhook_deliveries (
      webhook_id TEXT NOT NULL, message_id TEXT NOT NULL, event TEXT NOT NULL, attempt INTEGER NOT NULL,
      response_status INTEGER NOT NULL, error TEXT NOT NULL, attempted_at INTEGER NOT NULL, status TEXT NOT NULL)`);
    this.db.exec("CREATE INDEX IF NOT EXISTS webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, attempted_at DESC)");
    this.db.exec(`CREATE TABLE IF NOT EXISTS webhook_default_secrets (
      owner TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at INTEGER NOT NULL)`);
  }

  /**
   * The owner's default signing secret (for a request's own `webhook_url`), made on first use.
   * INSERT OR IGNORE then read: replicas sharing the file agree on one secret even if they race.
   */
  defaultSecret(owner: string): string {
    const row = this.db.prepare("SELECT secret FROM webhook_default_secrets WHERE owner = ?").get(owner) as Row | undefined;
    if (row) return String(row.secret);
    this.db.prepare("INSERT OR IGNORE INTO webhook_default_secrets VALUES (?, ?, ?)").run(owner, newWebhookSecret(), Date.now());
    return String((this.db.prepare("SELECT secret FROM webhook_default_secrets WHERE owner = ?").get(owner) as Row).secret);
  }

  /** Replaces the owner's default secret with a new one and returns it. */
  rotateDefaultSecret(owner: string): string {
    const secret = newWebhookSecret();
    this.db
      .prepare("INSERT INTO webhook_default_secrets VALUES (?, ?, ?) ON CONFLICT (owner) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at")
      .run(owner, secret, Date.now());
    return secret;
  }

  insert(w: WebhookRecord): void {
    this.db
      .prepare("INSERT INTO webhooks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .run(w.id, w.owner, w.url, JSON.stringify(w.events), w.secret, w.active ? 1 : 0, w.maxRetries, w.retryDelaySeconds, w.createdAt, w.lastTriggeredAt ?? null);
  }

  /** The webhook if it belongs to `owner`; another owner's reads as absent. */
  get(owner: string, id: string): WebhookRecord | undefined {
    const row = this.db.prepare("SELECT * FROM webhooks WHERE id = ? AND owner = ?").get(id, owner) as Row | undefined;
    return row && toWebhook(row);
  }

  list(owner: string): WebhookRecord[] {
    return (this.db.prepare("SELECT * FROM webhooks WHERE owner = ? ORDER BY created_at").all(owner) as Row[]).map(toWebhook);
  }

  update(w: WebhookRecord): void {
    this.db
      .prepare("UPDATE webhooks SET url = ?, events = ?, active = ?, max_retries = ?, retry_delay_seconds = ?, last_triggered_at = ? WHERE id = ? AND owner = ?")
      .run(w.url, JSON.stringify(w.events), w.active ? 1 : 0, w.maxRetries, w.retryDelaySeconds, w.lastTriggeredAt ?? null, w.id, w.owner);
  }

  delete(owner: string, id: string): boolean {
    return Number(this.db.prepare("DELETE FROM webhooks WHERE id = ? AND owner = ?").run(id, owner).changes) > 0;
  }

  recordDelivery(d: DeliveryRecord): void {
    this.db
      .prepare("INSERT INTO webhook_deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(d.webhookId, d.messageId, d.event, d.attempt, d.responseStatus, d.error, d.attemptedAt, d.status);
    this.db.prepare("UPDATE webhooks SET last_triggered_at = ? WHERE id = ?").run(d.attemptedAt, d.webhookId);
  }

  deliveries(webhookId: string, limit: number, offset: number): DeliveryRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY attempted_at DESC, attempt DESC LIMIT ? OFFSET ?")
      .all(webhookId, limit, offset) as Row[];
    return rows.map((r) => ({
      webhookId: String(r.webhook_id),
      messageId: String(r.message_id),
      event: String(r.event),
      attempt: Number(r.attempt),
      responseStatus: Number(r.response_status),
      error: String(r.error),
      attemptedAt: Number(r.attempted_at),
      status: String(r.status) as DeliveryRecord["status"],
    }));
  }

  close(): void {
    this.db.close();
  }
}

function toWebhook(r: Row): WebhookRecord {
  return {
    id: String(r.id),
    owner: String(r.owner),
    url: String(r.url),
    events: JSON.parse(String(r.events)) as string[],
    secret: String(r.secret),
    active: Number(r.active) === 1,
    maxRetries: Number(r.max_retries),
    retryDelaySeconds: Number(r.retry_delay_seconds),
    createdAt: Number(r.created_at),
    lastTriggeredAt: r.last_triggered_at === null ? undefined : Number(r.last_triggered_at),
  };
}
