import { ERROR_TABLE, type ErrorCode, type ErrorDetails } from "./generated/contract.js";

/** What the API said went wrong, with everything its error envelope carried. */
export interface ImageGenErrorInit {
  readonly status: number;
  readonly code: ErrorCode | (string & {});
  readonly type: string;
  readonly message: string;
  readonly requestId?: string | undefined;
  readonly details?: ErrorDetails | undefined;
  readonly documentationUrl?: string | undefined;
  readonly retryAfterSeconds?: number | undefined;
  readonly cause?: unknown;
}

/**
 * Every failure of an API call: the REST error envelope (`status` is the HTTP status, `code` e.g.
 * `UNAUTHORIZED`, `type` e.g. `authentication_error`, `requestId` to quote to support, `details`
 * naming the field), a generation that ended `failed` (its code, status from the error table), or
 * a network failure (`status` 0, code `UNAVAILABLE`, `cause` set).
 */
export class ImageGenError extends Error {
  override readonly name = "ImageGenError";
  readonly status: number;
  readonly code: ErrorCode | (string & {});
  readonly type: string;
  readonly requestId: string | undefined;
  readonly details: ErrorDetails;
  readonly documentationUrl: string | undefined;
  /** The server's Retry-After, in seconds, when it gave one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: ImageGenErrorInit) {
    super(`${init.code}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.type = init.type;
    this.requestId = init.requestId;
    this.details = init.details ?? {};
    this.documentationUrl = init.documentationUrl;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** An error for `code` with the status and type the contract's error table gives it. */
  static fromCode(code: string, message: string, extra: Partial<ImageGenErrorInit> = {}): ImageGenError {
    const row = (ERROR_TABLE as Record<string, { status: number; type: string } | undefined>)[code];
    return new ImageGenError({
      status: row?.status ?? 500,
      type: row?.type ?? "server_error",
      code,
      message,
      ...extra,
    });
  }
}

/** A webhook whose signature, timestamp or headers do not check out: do not trust its body. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}
