import type { PostgresDatabase } from "../store/postgres-database.ts";
import {
  outboxValues,
  outcomeColumns,
  toOutboxEntry,
  type OutboxEntry,
  type OutboxOutcome,
  type WebhookOutbox,
} from "./webhook-outbox.ts";

/** The delivery outbox in the shared PostgreSQL: any replica delivers what any other enqueued. */
export class PostgresWebhookOutbox implements WebhookOutbox {
  constructor(private readonly db: PostgresDatabase) {}

  async enqueue(entries: readonly OutboxEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    return this.db.transaction(async (query) => {
      let inserted = 0;
      for (const e of entries) {
        const { rowCount } = await query(
          "INSERT INTO webhook_outbox (message_id, owner, webhook_id, url, event, body, attempts, max_retries, retry_delay_seconds, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
          outboxValues(e),
        );
        inserted += rowCount ?? 0;
      }
      return inserted;
    });
  }

  async claimDue(now: number, holder: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    // One statement: entries another replica is claiming right now are skipped, not waited for.
    const { rows } = await this.db.query(
      `UPDATE webhook_outbox SET lease_holder = $1, lease_until = $2
       WHERE message_id IN (
         SELECT message_id FROM webhook_outbox WHERE status = 'pending' AND next_at <= $3 AND lease_until < $3
         ORDER BY next_at LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [holder, now + leaseMs, now, limit],
    );
    return rows.map(toOutboxEntry).sort((a, b) => a.nextAt - b.nextAt);
  }

  async finish(messageId: string, holder: string, outcome: OutboxOutcome): Promise<boolean> {
    const { status, nextAt } = outcomeColumns(outcome);
    const { rowCount } = await this.db.query(
      `UPDATE webhook_outbox SET status = $1, attempts = attempts + 1, next_at = COALESCE($2, next_at), lease_holder = '', lease_until = 0
       WHERE message_id = $3 AND lease_holder = $4 AND status = 'pending'`,
      [status, nextAt, messageId, holder],
    );
    return rowCount === 1;
  }

  async purgeFinished(before: number): Promise<void> {
    await this.db.query("DELETE FROM webhook_outbox WHERE status <> 'pending' AND created_at < $1", [before]);
  }
}
