import type { DatabaseSync } from "node:sqlite";
import { SQLITE_WEBHOOK_TABLES } from "./webhook-schema.ts";
import {
  deliveryValues,
  freshSecret,
  toDelivery,
  toWebhook,
  webhookValues,
  type DeliveryRecord,
  type WebhookRecord,
  type WebhookStore,
} from "./webhook-store.ts";

type Row = Record<string, string | number | null>;

/** Webhooks in the embedded SQLite file, on the front's shared connection. */
export class SqliteWebhookStore implements WebhookStore {
  constructor(private readonly db: DatabaseSync) {
    for (const sql of SQLITE_WEBHOOK_TABLES) this.db.exec(sql);
  }

  async defaultSecret(owner: string): Promise<string> {
    this.db
      .prepare("INSERT OR IGNORE INTO webhook_default_secrets VALUES (?, ?, ?)")
      .run(owner, freshSecret(), Date.now());
    return String(
      (this.db.prepare("SELECT secret FROM webhook_default_secrets WHERE owner = ?").get(owner) as Row).secret,
    );
  }

  async rotateDefaultSecret(owner: string): Promise<string> {
    const secret = freshSecret();
    this.db
      .prepare(
        "INSERT INTO webhook_default_secrets VALUES (?, ?, ?) ON CONFLICT (owner) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at",
      )
      .run(owner, secret, Date.now());
    return secret;
  }

  async insert(w: WebhookRecord): Promise<void> {
    this.db.prepare("INSERT INTO webhooks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").run(...webhookValues(w));
  }

  async get(owner: string, id: string): Promise<WebhookRecord | undefined> {
    const row = this.db.prepare("SELECT * FROM webhooks WHERE id = ? AND owner = ?").get(id, owner) as Row | undefined;
    return row && toWebhook(row);
  }

  async list(owner: string): Promise<WebhookRecord[]> {
    return (this.db.prepare("SELECT * FROM webhooks WHERE owner = ? ORDER BY created_at, id").all(owner) as Row[]).map(
      toWebhook,
    );
  }

  async update(w: WebhookRecord): Promise<void> {
    this.db
      .prepare(
        "UPDATE webhooks SET url = ?, events = ?, active = ?, max_retries = ?, retry_delay_seconds = ?, last_triggered_at = ? WHERE id = ? AND owner = ?",
      )
      .run(
        w.url,
        JSON.stringify(w.events),
        w.active ? 1 : 0,
        w.maxRetries,
        w.retryDelaySeconds,
        w.lastTriggeredAt ?? null,
        w.id,
        w.owner,
      );
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return Number(this.db.prepare("DELETE FROM webhooks WHERE id = ? AND owner = ?").run(id, owner).changes) > 0;
  }

  async recordDelivery(d: DeliveryRecord): Promise<void> {
    this.db.prepare("INSERT INTO webhook_deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(...deliveryValues(d));
    this.db.prepare("UPDATE webhooks SET last_triggered_at = ? WHERE id = ?").run(d.attemptedAt, d.webhookId);
  }

  async deliveries(webhookId: string, limit: number, offset: number): Promise<DeliveryRecord[]> {
    const rows = this.db
      .prepare(
        "SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY attempted_at DESC, attempt DESC LIMIT ? OFFSET ?",
      )
      .all(webhookId, limit, offset) as Row[];
    return rows.map(toDelivery);
  }
}
