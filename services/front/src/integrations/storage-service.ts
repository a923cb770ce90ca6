import type { ServiceId } from "./integration-store.ts";

/** A service's OAuth tokens; `expiresAt` is ms since the epoch (0 when the service did not say). */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

export interface ServiceAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface CodeExchange {
  readonly code: string;
  /** Sent only when the client gave one (it must equal the authorize call's). */
  readonly redirectUri?: string;
  /** Sent only when the client gave one (PKCE). */
  readonly codeVerifier?: string;
}

/** Where an uploaded file landed. */
export interface UploadedFile {
  readonly remotePath: string;
}

/**
 * How a call to a service failed, which decides what the upload worker does:
 * `expired` → refresh the access token and retry; `reauth` → the service refused the refresh
 * token (the user must connect again); `retry` → 429/5xx/network, wait `retryAfterMs` if the
 * service said; `refused` → any other answer, not retried. Messages never carry a token.
 */
export type ServiceFailure = "expired" | "reauth" | "retry" | "refused";

export class ServiceCallError extends Error {
  constructor(
    readonly failure: ServiceFailure,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ServiceCallError";
  }
}

/**
 * One storage service's wire protocol (dropbox-client.ts, google-drive-client.ts): OAuth code
 * exchange, refresh and revoke with the operator's app credentials, the connected account, and
 * the two calls an upload needs. Every method throws ServiceCallError on a service failure.
 */
export interface StorageService {
  readonly id: ServiceId;
  readonly name: string;
  /** The authorize page (offline access, PKCE S256). */
  authorizeUrl(options: { redirectUri?: string; state: string; codeChallenge: string }): string;
  exchangeCode(exchange: CodeExchange): Promise<TokenSet>;
  /** New access token; the refresh token is kept unless the service sent a new one. */
  refresh(refreshToken: string): Promise<TokenSet>;
  account(accessToken: string): Promise<ServiceAccount>;
  /** Creates `folderPath` if missing and returns what `upload` needs to put files in it. */
  ensureFolder(accessToken: string, folderPath: string): Promise<string>;
  /** Uploads one file into the folder, never overwriting (a taken name gets another). One request. */
  upload(
    accessToken: string,
    folder: { path: string; ref: string },
    name: string,
    bytes: Uint8Array,
    mimeType: string,
  ): Promise<UploadedFile>;
  /** Revokes the grant at the service (its refresh token and access tokens). */
  revoke(tokens: TokenSet): Promise<void>;
}

/** Retry-After (seconds, or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** A network failure (no answer) as a retryable ServiceCallError, without the URL's query. */
export async function send(service: string, url: string, init: RequestInit, timeoutMs = 60_000): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : "could not be reached";
    throw new ServiceCallError("retry", `${service} ${reason}`);
  }
}

/** The failure a non-OK answer means for any call (401 → expired, 429/5xx → retry). */
export function failureOf(status: number): ServiceFailure {
  if (status === 401) return "expired";
  if (status === 429 || status >= 500) return "retry";
  return "refused";
}

/** A response's JSON object, or `{}` when the body is empty or not JSON (error pages, plain-text 429s). */
export async function lenientJsonBody(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    return text ? ((JSON.parse(text) as Record<string, unknown>) ?? {}) : {};
  } catch {
    return {};
  }
}
