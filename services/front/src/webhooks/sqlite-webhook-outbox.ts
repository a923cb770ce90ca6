import type { DatabaseSync } from "node:sqlite";
import {
  outboxValues,
  outcomeColumns,
  SQLITE_OUTBOX_TABLE,
  toOutboxEntry,
  type OutboxEntry,
  type OutboxOutcome,
  type WebhookOutbox,
} from "./webhook-outbox.ts";

type Row = Record<string, string | number | null>;

/** The delivery outbox in the embedded SQLite file (processes sharing the file share it). */
export class SqliteWebhookOutbox implements WebhookOutbox {
  constructor(private readonly db: DatabaseSync) {
    for (const sql of SQLITE_OUTBOX_TABLE) this.db.exec(sql);
  }

  async enqueue(entries: readonly OutboxEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const insert = this.db.prepare(
      "INSERT INTO webhook_outbox (message_id, owner, webhook_id, url, event, body, attempts, max_retries, retry_delay_seconds, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.db.exec("BEGIN");
    try {
      let inserted = 0;
      for (const e of entries) inserted += Number(insert.run(...outboxValues(e)).changes);
      this.db.exec("COMMIT");
      return inserted;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async claimDue(now: number, holder: string, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    // One immediate transaction: another process on the file waits for it, then sees the claims.
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const rows = this.db
        .prepare(
          "SELECT * FROM webhook_outbox WHERE status = 'pending' AND next_at <= ? AND lease_until < ? ORDER BY next_at LIMIT ?",
        )
        .all(now, now, limit) as Row[];
      const claim = this.db.prepare("UPDATE webhook_outbox SET lease_holder = ?, lease_until = ? WHERE message_id = ?");
      for (const row of rows) claim.run(holder, now + leaseMs, row.message_id as string);
      this.db.exec("COMMIT");
      return rows.map(toOutboxEntry);
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async finish(messageId: string, holder: string, outcome: OutboxOutcome): Promise<boolean> {
    const { status, nextAt } = outcomeColumns(outcome);
    const changed = this.db
      .prepare(
        `UPDATE webhook_outbox SET status = ?, attempts = attempts + 1, next_at = COALESCE(?, next_at), lease_holder = '', lease_until = 0
         WHERE message_id = ? AND lease_holder = ? AND status = 'pending'`,
      )
      .run(status, nextAt, messageId, holder);
    return Number(changed.changes) === 1;
  }

  async purgeFinished(before: number): Promise<void> {
    this.db.prepare("DELETE FROM webhook_outbox WHERE status <> 'pending' AND created_at < ?").run(before);
  }
}
