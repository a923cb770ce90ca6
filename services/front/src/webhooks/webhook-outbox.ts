/**
 * One event for one target, waiting to be delivered: the durable outbox every replica drains.
 * `messageId` is the Standard Webhooks `webhook-id`, the same on every attempt (receivers
 * de-duplicate on it).
 */
export interface OutboxEntry {
  readonly messageId: string;
  readonly owner: string;
  /** The registered webhook's id, or "adhoc" for a request's own `webhook_url`. */
  readonly webhookId: string;
  readonly url: string;
  readonly event: string;
  /** The signed JSON body, fixed when the event happened. */
  readonly body: string;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly maxRetries: number;
  readonly retryDelaySeconds: number;
  /** When the next attempt is due (ms since the epoch). */
  readonly nextAt: number;
  readonly createdAt: number;
}

/** What became of a claimed entry's attempt. */
export type OutboxOutcome =
  | { readonly kind: "delivered" }
  | { readonly kind: "failed" }
  | { readonly kind: "retry"; readonly nextAt: number };

/**
 * The delivery outbox, on SQLite or the shared PostgreSQL (one suite: webhook-outbox.test.ts).
 * An entry is claimed with a lease by one replica at a time; a replica that dies mid-attempt
 * leaves its claim to expire, and any replica retries the entry (at least once across a crash).
 */
export interface WebhookOutbox {
  /** Inserts the entries in one transaction; returns how many were inserted (none for none). */
  enqueue(entries: readonly OutboxEntry[]): Promise<number>;
  /**
   * Claims up to `limit` pending entries due by `now` and not claimed by a live lease, for
   * `holder` until `now + leaseMs`, and returns them. Two replicas never claim one entry at once.
   */
  claimDue(now: number, holder: string, leaseMs: number, limit: number): Promise<OutboxEntry[]>;
  /** Records an attempt's outcome, if `holder` still holds the entry's claim; false when it lost it. */
  finish(messageId: string, holder: string, outcome: OutboxOutcome): Promise<boolean>;
  /** Forgets delivered and failed entries created before `before`. */
  purgeFinished(before: number): Promise<void>;
}

/** Row → entry; the columns are the same on both backends. */
export function toOutboxEntry(r: Record<string, unknown>): OutboxEntry {
  return {
    messageId: String(r.message_id),
    owner: String(r.owner),
    webhookId: String(r.webhook_id),
    url: String(r.url),
    event: String(r.event),
    body: String(r.body),
    attempts: Number(r.attempts),
    maxRetries: Number(r.max_retries),
    retryDelaySeconds: Number(r.retry_delay_seconds),
    nextAt: Number(r.next_at),
    createdAt: Number(r.created_at),
  };
}

/** Column order of an insert (lease_holder, lease_until and status follow, empty and pending). */
export function outboxValues(e: OutboxEntry): Array<string | number> {
  return [
    e.messageId,
    e.owner,
    e.webhookId,
    e.url,
    e.event,
    e.body,
    e.attempts,
    e.maxRetries,
    e.retryDelaySeconds,
    e.nextAt,
    e.createdAt,
  ];
}

const COLUMNS = `message_id TEXT PRIMARY KEY, owner TEXT NOT NULL, webhook_id TEXT NOT NULL, url TEXT NOT NULL,
  event TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL, max_retries INTEGER NOT NULL,
  retry_delay_seconds INTEGER NOT NULL, next_at BIGINT NOT NULL, created_at BIGINT NOT NULL,
  lease_holder TEXT NOT NULL DEFAULT '', lease_until BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'pending'`;

export const SQLITE_OUTBOX_TABLE = [
  `CREATE TABLE IF NOT EXISTS webhook_outbox (${COLUMNS})`,
  "CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (status, next_at)",
];

/** One step of POSTGRES_MIGRATIONS. */
export const POSTGRES_OUTBOX_TABLE = `CREATE TABLE webhook_outbox (${COLUMNS});
  CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at) WHERE status = 'pending';`;

/** The status an outcome leaves, and the columns it sets (both backends apply it so). */
export function outcomeColumns(outcome: OutboxOutcome): { status: string; nextAt: number | null } {
  if (outcome.kind === "retry") return { status: "pending", nextAt: outcome.nextAt };
  return { status: outcome.kind, nextAt: null };
}
