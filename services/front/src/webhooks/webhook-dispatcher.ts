import { randomBytes } from "node:crypto";
import type { Logger } from "@imagegen/server-kit";
import { imagegenMetrics } from "@imagegen/telemetry";
import type { OutboxEntry, WebhookOutbox } from "./webhook-outbox.ts";
import { signWebhook } from "./webhook-signature.ts";
import type { WebhookStore } from "./webhook-store.ts";

/** The HTTP call a delivery makes; in production it is the SSRF-guarded fetcher. */
export type WebhookTransport = (
  url: string,
  init: { headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<number>;

/** A one-off target from a request's `webhook_url`. */
export interface AdHocTarget {
  readonly url: string;
}

export interface DispatcherOptions {
  /** Bound of one delivery attempt. */
  readonly attemptTimeoutMs: number;
  /** Retry policy for ad-hoc targets (registered webhooks carry their own). */
  readonly defaultMaxRetries: number;
  readonly defaultRetryDelaySeconds: number;
  /** This process, as the holder of the outbox entries it claims. */
  readonly holder: string;
  /** How often the outbox is checked for due entries (retries, another replica's leftovers). */
  readonly pollMs?: number;
  /**
   * How long a claim lasts: past it, an entry whose replica died mid-attempt is retried by any
   * replica. Longer than an attempt, so a slow but live attempt is not sent twice.
   */
  readonly claimMs?: number;
}

const AD_HOC = "adhoc";
const CLAIM_BATCH = 20;
// Delivered and failed entries are kept this long (for support questions), then purged.
const KEEP_FINISHED_MS = 7 * 24 * 3600 * 1000;

/**
 * Delivers events to the owner's registered webhooks subscribed to them and to a request's own
 * `webhook_url`, through a durable outbox in the store (webhook-outbox.ts): an event becomes one
 * entry per target at once, and whichever replica claims an entry makes its attempt. Retries
 * are scheduled in the outbox (exponential backoff from the policy's delay), so they survive
 * restarts; a replica that dies with entries claimed leaves them to any other after `claimMs`.
 * Every delivery is signed (Standard Webhooks): a registered webhook's with its secret (read at
 * each attempt, so a retry after a rotation uses the secret of that moment), a request's
 * `webhook_url` with the owner's default secret. Each entry has one `webhook-id`, kept on every
 * attempt: exactly once in normal operation, at least once across a crash.
 */
export class WebhookDispatcher {
  private readonly pollMs: number;
  private readonly claimMs: number;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly outbox: WebhookOutbox,
    private readonly transport: WebhookTransport,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.pollMs = options.pollMs ?? 1_000;
    this.claimMs = options.claimMs ?? Math.max(30_000, options.attemptTimeoutMs * 3);
  }

  /** Checks the outbox every `pollMs` from now on (the front calls it once at start). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /**
   * Queues `event` for every matching target; returns at once (delivery follows from the outbox).
   * Only an event that put entries in the outbox drains it now: an owner with no subscribed
   * webhook and no `webhook_url` (most generations) costs no claim. Entries of other replicas
   * and retries do not depend on it; the periodic check delivers them.
   */
  emit(owner: string, event: string, data: Record<string, unknown>, adHoc?: AdHocTarget): void {
    void this.enqueue(owner, event, data, adHoc).then(
      (inserted) => {
        if (inserted > 0) this.kick();
      },
      (error: unknown) =>
        this.logger.warn("webhook event not queued: the store could not be written", {
          event,
          error: errorText(error),
        }),
    );
  }

  /** Stops checking the outbox; claimed entries left unfinished are retried by any replica. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async enqueue(
    owner: string,
    event: string,
    data: Record<string, unknown>,
    adHoc?: AdHocTarget,
  ): Promise<number> {
    const registered = (await this.store.list(owner)).filter((w) => w.active && w.events.includes(event));
    const now = Date.now();
    const body = JSON.stringify({ event, timestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"), data });
    const entry = (webhookId: string, url: string, maxRetries: number, retryDelaySeconds: number): OutboxEntry => ({
      messageId: `msg_${randomBytes(16).toString("base64url")}`,
      owner,
      webhookId,
      url,
      event,
      body,
      attempts: 0,
      maxRetries,
      retryDelaySeconds,
      nextAt: now,
      createdAt: now,
    });
    const entries = registered.map((w) => entry(w.id, w.url, w.maxRetries, w.retryDelaySeconds));
    // A URL that is also a subscribed registered webhook gets the event once, signed as registered.
    if (adHoc && !entries.some((e) => e.url === adHoc.url)) {
      entries.push(entry(AD_HOC, adHoc.url, this.options.defaultMaxRetries, this.options.defaultRetryDelaySeconds));
    }
    return this.outbox.enqueue(entries);
  }

  /** Drains due entries now; a kick while draining runs one more pass after it. */
  private kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) =>
        this.logger.warn("webhook outbox not drained; retrying on the next check", { error: errorText(error) }),
      )
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.outbox.claimDue(Date.now(), this.options.holder, this.claimMs, CLAIM_BATCH);
      await Promise.all(claimed.map((entry) => this.attempt(entry)));
      if (claimed.length < CLAIM_BATCH || this.stopped) break;
    }
    if (Math.random() < 0.01) await this.outbox.purgeFinished(Date.now() - KEEP_FINISHED_MS);
  }

  private async attempt(entry: OutboxEntry): Promise<void> {
    const attempt = entry.attempts + 1;
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "imagegen-webhooks/1" };
    let status = 0;
    let error = "";
    try {
      // Inside the try: a failed read of the secret is a failed attempt (retried), not a crash.
      const secret = await this.secretOf(entry);
      Object.assign(headers, signWebhook(secret, entry.messageId, Math.floor(Date.now() / 1000), entry.body));
      status = await this.transport(entry.url, {
        headers,
        body: entry.body,
        signal: AbortSignal.timeout(this.options.attemptTimeoutMs),
      });
    } catch (e) {
      error = e instanceof Error ? e.message.slice(0, 300) : "delivery failed";
    }
    const delivered = status >= 200 && status < 300;
    const willRetry = !delivered && attempt <= entry.maxRetries;
    const nextAt = Date.now() + entry.retryDelaySeconds * 1000 * 2 ** (attempt - 1);
    const kept = await this.outbox.finish(
      entry.messageId,
      this.options.holder,
      delivered ? { kind: "delivered" } : willRetry ? { kind: "retry", nextAt } : { kind: "failed" },
    );
    // A claim that expired meanwhile belongs to another replica now: its attempt is the one counted.
    if (!kept) return;
    imagegenMetrics().webhookDeliveries.add(1, {
      "imagegen.outcome": delivered ? "delivered" : willRetry ? "retrying" : "failed",
    });
    if (entry.webhookId !== AD_HOC) {
      await this.store.recordDelivery({
        webhookId: entry.webhookId,
        messageId: entry.messageId,
        event: entry.event,
        attempt,
        responseStatus: status,
        error: error || (delivered ? "" : `receiver answered ${status}`),
        attemptedAt: Date.now(),
        status: delivered ? "delivered" : willRetry ? "pending" : "failed",
      });
    }
    if (!delivered && !willRetry)
      this.logger.warn("webhook delivery failed", {
        webhook_id: entry.webhookId,
        message_id: entry.messageId,
        attempts: attempt,
      });
  }

  private async secretOf(entry: OutboxEntry): Promise<string> {
    if (entry.webhookId === AD_HOC) return this.store.defaultSecret(entry.owner);
    const webhook = await this.store.get(entry.owner, entry.webhookId);
    if (!webhook) throw new Error("the webhook was deleted");
    return webhook.secret;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
