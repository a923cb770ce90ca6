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

/**
 * Registered webhooks, their delivery log and each owner's default signing secret, on SQLite or
 * the shared PostgreSQL (one suite: webhook-store.test.ts), so a webhook registered through one
 * replica is delivered by any other.
 * Secrets are kept as given (HMAC needs the key itself, so they cannot be hashed): the database
 * is as sensitive as the data dir's signing key, and no secret is ever logged or put in an error.
 */
export interface WebhookStore {
  /**
   * The owner's default signing secret (for a request's own `webhook_url`), made on first use.
   * Replicas racing on first use agree on one secret (insert-if-absent, then read).
   */
  defaultSecret(owner: string): Promise<string>;
  /** Replaces the owner's default secret with a new one and returns it. */
  rotateDefaultSecret(owner: string): Promise<string>;
  insert(w: WebhookRecord): Promise<void>;
  /** The webhook if it belongs to `owner`; another owner's reads as absent. */
  get(owner: string, id: string): Promise<WebhookRecord | undefined>;
  list(owner: string): Promise<WebhookRecord[]>;
  update(w: WebhookRecord): Promise<void>;
  delete(owner: string, id: string): Promise<boolean>;
  /** Logs one attempt and marks the webhook triggered then. */
  recordDelivery(d: DeliveryRecord): Promise<void>;
  /** A webhook's attempts, newest first. */
  deliveries(webhookId: string, limit: number, offset: number): Promise<DeliveryRecord[]>;
}

/** A fresh default secret; both backends make them here. */
export const freshSecret = newWebhookSecret;

type Row = Record<string, unknown>;

/** Row → record; the columns are the same on both backends. */
export function toWebhook(r: Row): WebhookRecord {
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
    lastTriggeredAt:
      r.last_triggered_at === null || r.last_triggered_at === undefined ? undefined : Number(r.last_triggered_at),
  };
}

/** Row → record; the columns are the same on both backends. */
export function toDelivery(r: Row): DeliveryRecord {
  return {
    webhookId: String(r.webhook_id),
    messageId: String(r.message_id),
    event: String(r.event),
    attempt: Number(r.attempt),
    responseStatus: Number(r.response_status),
    error: String(r.error),
    attemptedAt: Number(r.attempted_at),
    status: String(r.status) as DeliveryRecord["status"],
  };
}

/** The values of one webhook row, in column order. */
export function webhookValues(w: WebhookRecord): Array<string | number | null> {
  return [
    w.id,
    w.owner,
    w.url,
    JSON.stringify(w.events),
    w.secret,
    w.active ? 1 : 0,
    w.maxRetries,
    w.retryDelaySeconds,
    w.createdAt,
    w.lastTriggeredAt ?? null,
  ];
}

/** The values of one delivery row, in column order. */
export function deliveryValues(d: DeliveryRecord): Array<string | number> {
  return [d.webhookId, d.messageId, d.event, d.attempt, d.responseStatus, d.error, d.attemptedAt, d.status];
}
