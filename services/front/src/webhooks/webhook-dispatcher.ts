import { randomBytes } from "node:crypto";
import type { Logger } from "@imagegen/server-kit";
import { imagegenMetrics } from "@imagegen/telemetry";
import { signWebhook } from "./webhook-signature.ts";
import type { WebhookStore } from "./webhook-store.ts";

/** The HTTP call a delivery makes; in production it is the SSRF-guarded fetcher. */
export type WebhookTransport = (url: string, init: { headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<number>;

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
}

interface Target {
  readonly webhookId: string;
  readonly url: string;
  /** Read at each attempt, so a retry after a rotation is signed with the secret of that moment. */
  readonly secret: () => Promise<string>;
  readonly maxRetries: number;
  readonly retryDelaySeconds: number;
}

/**
 * Delivers events to the owner's registered webhooks subscribed to them and to a request's own
 * `webhook_url`. Every delivery is signed (Standard Webhooks): a registered webhook's with its
 * secret, a request's `webhook_url` with the owner's default secret (GetDefaultWebhookSecret).
 * Each logical event has one `webhook-id`, kept on every retry, so receivers can
 * de-duplicate; each attempt is re-signed with a fresh timestamp and recorded.
 * Retries back off exponentially from the policy's delay. Scheduling is in-process: a restart
 * drops pending retries (documented limit until the delivery queue moves to the database).
 */
export class WebhookDispatcher {
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly store: WebhookStore;
  private readonly transport: WebhookTransport;
  private readonly logger: Logger;
  private readonly options: DispatcherOptions;

  constructor(store: WebhookStore, transport: WebhookTransport, logger: Logger, options: DispatcherOptions) {
    this.store = store;
    this.transport = transport;
    this.logger = logger;
    this.options = options;
  }

  /** Queues `event` for every matching target; returns at once. */
  emit(owner: string, event: string, data: Record<string, unknown>, adHoc?: AdHocTarget): void {
    void this.fanOut(owner, event, data, adHoc).catch((error: unknown) =>
      this.logger.warn("webhook event dropped: the webhook store could not be read", { event, error: error instanceof Error ? error.message : String(error) }),
    );
  }

  private async fanOut(owner: string, event: string, data: Record<string, unknown>, adHoc?: AdHocTarget): Promise<void> {
    const registered = (await this.store.list(owner)).filter((w) => w.active && w.events.includes(event));
    const targets: Target[] = registered.map((w) => ({
      webhookId: w.id,
      url: w.url,
      secret: async () => w.secret,
      maxRetries: w.maxRetries,
      retryDelaySeconds: w.retryDelaySeconds,
    }));
    // A URL that is also a subscribed registered webhook gets the event once, signed as registered.
    if (adHoc && !targets.some((t) => t.url === adHoc.url)) {
      targets.push({
        webhookId: "adhoc",
        url: adHoc.url,
        secret: () => this.store.defaultSecret(owner),
        maxRetries: this.options.defaultMaxRetries,
        retryDelaySeconds: this.options.defaultRetryDelaySeconds,
      });
    }
    const body = JSON.stringify({ event, timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), data });
    for (const target of targets) {
      const messageId = `msg_${randomBytes(16).toString("base64url")}`;
      void this.attempt(target, messageId, event, body, 1);
    }
  }

  private async attempt(target: Target, messageId: string, event: string, body: string, attempt: number): Promise<void> {
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "imagegen-webhooks/1" };
    let status = 0;
    let error = "";
    try {
      // Inside the try: a failed read of the secret is a failed attempt (retried), not a crash.
      Object.assign(headers, signWebhook(await target.secret(), messageId, Math.floor(Date.now() / 1000), body));
      status = await this.transport(target.url, { headers, body, signal: AbortSignal.timeout(this.options.attemptTimeoutMs) });
    } catch (e) {
      error = e instanceof Error ? e.message.slice(0, 300) : "delivery failed";
    }
    const delivered = status >= 200 && status < 300;
    const willRetry = !delivered && attempt <= target.maxRetries;
    imagegenMetrics().webhookDeliveries.add(1, { "imagegen.outcome": delivered ? "delivered" : willRetry ? "retrying" : "failed" });
    if (target.webhookId !== "adhoc") {
      await this.store.recordDelivery({
        webhookId: target.webhookId,
        messageId,
        event,
        attempt,
        responseStatus: status,
        error: error || (delivered ? "" : `receiver answered ${status}`),
        attemptedAt: Date.now(),
        status: delivered ? "delivered" : willRetry ? "pending" : "failed",
      });
    }
    if (!willRetry) {
      if (!delivered) this.logger.warn("webhook delivery failed", { webhook_id: target.webhookId, message_id: messageId, attempts: attempt });
      return;
    }
    const delayMs = target.retryDelaySeconds * 1000 * 2 ** (attempt - 1);
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void this.attempt(target, messageId, event, body, attempt + 1);
    }, delayMs);
    timer.unref();
    this.pending.add(timer);
  }

  /** Drops scheduled retries (shutdown). */
  stop(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
