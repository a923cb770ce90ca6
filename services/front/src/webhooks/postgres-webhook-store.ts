import type { PostgresDatabase } from "../store/postgres-database.ts";
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

/** Webhooks in the shared PostgreSQL: registered through one replica, delivered by any. */
export class PostgresWebhookStore implements WebhookStore {
  constructor(private readonly db: PostgresDatabase) {}

  async defaultSecret(owner: string): Promise<string> {
    await this.db.query("INSERT INTO webhook_default_secrets VALUES ($1, $2, $3) ON CONFLICT (owner) DO NOTHING", [
      owner,
      freshSecret(),
      Date.now(),
    ]);
    return String(
      (await this.db.query("SELECT secret FROM webhook_default_secrets WHERE owner = $1", [owner])).rows[0].secret,
    );
  }

  async rotateDefaultSecret(owner: string): Promise<string> {
    const secret = freshSecret();
    await this.db.query(
      "INSERT INTO webhook_default_secrets VALUES ($1, $2, $3) ON CONFLICT (owner) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at",
      [owner, secret, Date.now()],
    );
    return secret;
  }

  async insert(w: WebhookRecord): Promise<void> {
    await this.db.query("INSERT INTO webhooks VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", webhookValues(w));
  }

  async get(owner: string, id: string): Promise<WebhookRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM webhooks WHERE id = $1 AND owner = $2", [id, owner]);
    return rows[0] && toWebhook(rows[0]);
  }

  async list(owner: string): Promise<WebhookRecord[]> {
    return (await this.db.query("SELECT * FROM webhooks WHERE owner = $1 ORDER BY created_at, id", [owner])).rows.map(
      toWebhook,
    );
  }

  async update(w: WebhookRecord): Promise<void> {
    await this.db.query(
      "UPDATE webhooks SET url = $1, events = $2, active = $3, max_retries = $4, retry_delay_seconds = $5, last_triggered_at = $6 WHERE id = $7 AND owner = $8",
      [
        w.url,
        JSON.stringify(w.events),
        w.active ? 1 : 0,
        w.maxRetries,
        w.retryDelaySeconds,
        w.lastTriggeredAt ?? null,
        w.id,
        w.owner,
      ],
    );
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return ((await this.db.query("DELETE FROM webhooks WHERE id = $1 AND owner = $2", [id, owner])).rowCount ?? 0) > 0;
  }

  async recordDelivery(d: DeliveryRecord): Promise<void> {
    await this.db.query("INSERT INTO webhook_deliveries VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", deliveryValues(d));
    await this.db.query("UPDATE webhooks SET last_triggered_at = $1 WHERE id = $2", [d.attemptedAt, d.webhookId]);
  }

  async deliveries(webhookId: string, limit: number, offset: number): Promise<DeliveryRecord[]> {
    const { rows } = await this.db.query(
      "SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY attempted_at DESC, attempt DESC LIMIT $2 OFFSET $3",
      [webhookId, limit, offset],
    );
    return rows.map(toDelivery);
  }
}
