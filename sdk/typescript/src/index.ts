export { ImageGenClient, SDK_VERSION, DEFAULT_BASE_URL, type ClientOptions, type CreateOptions } from "./client.js";
export type { GalleryQuery } from "./resources.js";
export { ImageGenError, WebhookVerificationError, type ImageGenErrorInit } from "./errors.js";
export { isTerminal, type WaitOptions } from "./generations.js";
export type { RequestOptions } from "./transport.js";
export { verifyWebhook, WEBHOOK_TOLERANCE_SECONDS, type WebhookEvent, type WebhookHeaders } from "./webhooks.js";
export type * from "./generated/contract.js";
export { ERROR_TABLE } from "./generated/contract.js";
