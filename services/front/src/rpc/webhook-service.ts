import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import { create } from "@bufbuild/protobuf";
import { WebhookSchema, WebhookService, type Webhook } from "@imagegen/proto/imagegen/v1/webhook_service_pb";
import { randomBytes } from "node:crypto";
import { checkGivenSecret, newWebhookSecret } from "../webhooks/webhook-signature.ts";
import type { WebhookRecord, WebhookStore } from "../webhooks/webhook-store.ts";
import { principalOf } from "./principal-of.ts";

/** Checks a webhook target before it is stored (the SSRF guard's address rules). */
export type WebhookUrlCheck = (url: string) => Promise<void>;

const DEFAULT_RETRIES = 3;
const DEFAULT_DELAY_SECONDS = 60;

/** WebhookService over the webhook store; every webhook belongs to its key's owner. */
export function registerWebhookService(router: ConnectRouter, store: WebhookStore, checkUrl: WebhookUrlCheck): void {
  const mine = async (owner: string, id: string): Promise<WebhookRecord> => {
    const webhook = await store.get(owner, id);
    if (!webhook) throw apiError(ErrorReason.NOT_FOUND, `webhook ${id} not found`);
    return webhook;
  };
  router.service(WebhookService, {
    async createWebhook(req, ctx) {
      const owner = principalOf(ctx).owner;
      await checkUrl(req.url);
      checkGivenSecret(req.secret);
      const generated = req.secret === "";
      const record: WebhookRecord = {
        id: `webhook_${randomBytes(12).toString("base64url")}`,
        owner,
        url: req.url,
        events: [...req.events],
        secret: generated ? newWebhookSecret() : req.secret,
        active: req.active ?? true,
        maxRetries: req.retryPolicy?.maxRetries ?? DEFAULT_RETRIES,
        retryDelaySeconds: req.retryPolicy?.retryDelaySeconds || DEFAULT_DELAY_SECONDS,
        createdAt: Math.floor(Date.now() / 1000) * 1000,
      };
      await store.insert(record);
      // A secret the caller chose is theirs already; one we made is shown this once.
      return { webhook: toMessage(record), secret: generated ? record.secret : "" };
    },
    async listWebhooks(_, ctx) {
      return { webhooks: (await store.list(principalOf(ctx).owner)).map(toMessage) };
    },
    async getWebhook(req, ctx) {
      return { webhook: toMessage(await mine(principalOf(ctx).owner, req.id)) };
    },
    async updateWebhook(req, ctx) {
      const current = await mine(principalOf(ctx).owner, req.id);
      if (req.url !== undefined) await checkUrl(req.url);
      const next: WebhookRecord = {
        ...current,
        url: req.url ?? current.url,
        events: req.events.length ? [...req.events] : current.events,
        active: req.active ?? current.active,
        maxRetries: req.retryPolicy?.maxRetries ?? current.maxRetries,
        retryDelaySeconds: req.retryPolicy?.retryDelaySeconds || current.retryDelaySeconds,
      };
      await store.update(next);
      return { webhook: toMessage(next) };
    },
    async deleteWebhook(req, ctx) {
      if (!(await store.delete(principalOf(ctx).owner, req.id)))
        throw apiError(ErrorReason.NOT_FOUND, `webhook ${req.id} not found`);
      return {};
    },
    async listWebhookDeliveries(req, ctx) {
      await mine(principalOf(ctx).owner, req.id);
      const limit = req.pageSize || 50;
      const offset = req.pageToken ? Number.parseInt(req.pageToken, 10) || 0 : 0;
      const rows = await store.deliveries(req.id, limit + 1, offset);
      return {
        deliveries: rows.slice(0, limit).map((d) => ({
          messageId: d.messageId,
          event: d.event,
          attempt: d.attempt,
          responseStatus: d.responseStatus,
          error: d.error,
          attemptedAt: timestampFromMs(d.attemptedAt),
          status: d.status,
        })),
        nextPageToken: rows.length > limit ? String(offset + limit) : "",
      };
    },
    async getDefaultWebhookSecret(_, ctx) {
      return { secret: await store.defaultSecret(principalOf(ctx).owner) };
    },
    async rotateDefaultWebhookSecret(_, ctx) {
      return { secret: await store.rotateDefaultSecret(principalOf(ctx).owner) };
    },
  });
}

function toMessage(w: WebhookRecord): Webhook {
  return create(WebhookSchema, {
    id: w.id,
    url: w.url,
    events: w.events,
    active: w.active,
    createdAt: timestampFromMs(w.createdAt),
    lastTriggeredAt: w.lastTriggeredAt === undefined ? undefined : timestampFromMs(w.lastTriggeredAt),
    retryPolicy: { maxRetries: w.maxRetries, retryDelaySeconds: w.retryDelaySeconds },
  });
}
