import type { Interceptor } from "@connectrpc/connect";

/** The proto name of a create request's own webhook target. */
const FIELD = "webhook_url";

/** Refuses a webhook target with INVALID_REQUEST naming `field` (checkWebhookUrl). */
export type WebhookTargetCheck = (url: string, field: string) => Promise<void>;

/**
 * A create request's own `webhook_url` passes the same check as a registered webhook's `url`,
 * when the request arrives: before the handler fetches an input image, admits, charges or
 * stores anything. A refused target is then a 400 naming `webhook_url` (a BadRequest field
 * violation over Connect/gRPC) instead of a generation whose events silently go nowhere.
 * Every request message with a `webhook_url` field is covered, whichever surface built it
 * (REST, a compat profile, Connect, gRPC), so a new RPC that carries one cannot skip it.
 * Runs after protovalidate, so the value is already a URI of bounded length.
 */
export function createWebhookUrlInterceptor(check: WebhookTargetCheck): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      const field = req.method.input.fields.find((f) => f.name === FIELD);
      const value = field && (req.message as unknown as Record<string, unknown>)[field.localName];
      if (typeof value === "string" && value !== "") await check(value, FIELD);
    }
    return next(req);
  };
}
