import type { DropboxConfig } from "./integration-config.ts";
import {
  failureOf,
  lenientJsonBody,
  retryAfterMs,
  send,
  ServiceCallError,
  type CodeExchange,
  type ServiceAccount,
  type StorageService,
  type TokenSet,
  type UploadedFile,
} from "./storage-service.ts";
import { bearer, requestTokens, toTokens } from "./token-endpoint.ts";

const NAME = "dropbox";

/**
 * Dropbox API v2 over plain fetch (protocol: ../shared/providers/dropbox.md). The official SDK
 * is not used: its `domain` option always builds https:// URLs (no local fake without TLS), it
 * never retries, and our queue needs the raw status and Retry-After of each call anyway.
 */
export class DropboxClient implements StorageService {
  readonly id = "dropbox" as const;
  readonly name = "Dropbox";

  constructor(private readonly config: DropboxConfig) {}

  authorizeUrl(options: { redirectUri?: string; state: string; codeChallenge: string }): string {
    const url = new URL(`${this.config.webUrl}/oauth2/authorize`);
    url.searchParams.set("client_id", this.config.appKey);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("token_access_type", "offline");
    url.searchParams.set("code_challenge", options.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
    url.searchParams.set("state", options.state);
    if (options.redirectUri) url.searchParams.set("redirect_uri", options.redirectUri);
    return url.toString();
  }

  async exchangeCode(exchange: CodeExchange): Promise<TokenSet> {
    const form = new URLSearchParams({ grant_type: "authorization_code", code: exchange.code });
    if (exchange.redirectUri) form.set("redirect_uri", exchange.redirectUri);
    if (exchange.codeVerifier) form.set("code_verifier", exchange.codeVerifier);
    const body = await this.token(form, "refused");
    if (!body.refresh_token)
      throw new ServiceCallError("refused", "dropbox returned no refresh token (offline access was not granted)");
    return toTokens(body, String(body.refresh_token));
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    const body = await this.token(
      new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
      "reauth",
    );
    // Dropbox does not rotate refresh tokens: the same one stays valid.
    return toTokens(body, refreshToken);
  }

  async account(accessToken: string): Promise<ServiceAccount> {
    // A Void route: no body and no Content-Type (JSON with an empty body is a 400).
    const res = await send(NAME, `${this.config.apiUrl}/2/users/get_current_account`, {
      method: "POST",
      headers: bearer(accessToken),
    });
    const body = await json(res, "users/get_current_account");
    const name = (body.name ?? {}) as Record<string, unknown>;
    return {
      id: String(body.account_id ?? ""),
      name: String(name.display_name ?? ""),
      email: String(body.email ?? ""),
    };
  }

  async ensureFolder(accessToken: string, folderPath: string): Promise<string> {
    const path = normalise(folderPath);
    if (path === "") return "";
    const res = await send(NAME, `${this.config.apiUrl}/2/files/create_folder_v2`, {
      method: "POST",
      headers: { ...bearer(accessToken), "content-type": "application/json" },
      body: JSON.stringify({ path, autorename: false }),
    });
    if (res.status === 409) {
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      // An existing folder is what we wanted; anything else (a file there, no space) is not.
      if (String(body.error_summary ?? "").startsWith("path/conflict/folder")) return path;
      throw new ServiceCallError("refused", `dropbox could not create the folder: ${summary(body)}`);
    }
    await json(res, "files/create_folder_v2");
    return path;
  }

  async upload(
    accessToken: string,
    folder: { path: string; ref: string },
    name: string,
    bytes: Uint8Array,
    mimeType: string,
  ): Promise<UploadedFile> {
    void mimeType; // Dropbox takes raw bytes as application/octet-stream whatever they are.
    const arg = { path: `${folder.ref}/${name}`, mode: "add", autorename: true, mute: true };
    const res = await send(NAME, `${this.config.contentUrl}/2/files/upload`, {
      method: "POST",
      headers: {
        ...bearer(accessToken),
        "content-type": "application/octet-stream",
        "dropbox-api-arg": headerSafeJson(arg),
      },
      body: bytes,
    });
    const body = await json(res, "files/upload");
    return { remotePath: String(body.path_display ?? arg.path) };
  }

  async revoke(tokens: TokenSet): Promise<void> {
    // Revoking an access token minted from the refresh token kills the refresh token too.
    let access = tokens.accessToken;
    if (tokens.expiresAt !== 0 && tokens.expiresAt <= Date.now())
      access = (await this.refresh(tokens.refreshToken)).accessToken;
    let res = await send(NAME, `${this.config.apiUrl}/2/auth/token/revoke`, {
      method: "POST",
      headers: bearer(access),
    });
    if (res.status === 401) {
      access = (await this.refresh(tokens.refreshToken)).accessToken;
      res = await send(NAME, `${this.config.apiUrl}/2/auth/token/revoke`, { method: "POST", headers: bearer(access) });
    }
    await json(res, "auth/token/revoke");
  }

  private token(form: URLSearchParams, onInvalidGrant: "refused" | "reauth"): Promise<Record<string, unknown>> {
    return requestTokens(
      {
        service: NAME,
        url: `${this.config.apiUrl}/oauth2/token`,
        clientId: this.config.appKey,
        clientSecret: this.config.appSecret,
      },
      form,
      onInvalidGrant,
    );
  }
}

/** The JSON body of a 200, or a ServiceCallError classified by status (401 → expired, 429 with Retry-After, …). */
async function json(res: Response, route: string): Promise<Record<string, unknown>> {
  const body = await lenientJsonBody(res);
  if (res.ok) return body;
  const failure = failureOf(res.status);
  const error = (body.error ?? {}) as Record<string, unknown>;
  // 429 carries Retry-After; RateLimitError may carry retry_after (seconds) in the body too.
  const wait =
    retryAfterMs(res.headers.get("retry-after")) ??
    (typeof error.retry_after === "number" ? error.retry_after * 1000 : undefined);
  const what = body.error_summary ? summary(body) : `status ${res.status}`;
  throw new ServiceCallError(failure, `dropbox ${route} answered ${res.status} ${what}`.trim().slice(0, 300), wait);
}

function summary(body: Record<string, unknown>): string {
  // error_summary ends in "/" plus 0-3 random dots: keep the tag path only.
  return String(body.error_summary ?? "").replace(/\/\.*$/, "");
}

/** "/a/b" without a trailing slash; "" for the root. */
function normalise(folderPath: string): string {
  const trimmed = folderPath.trim().replace(/\/+$/, "");
  return trimmed === "" ? "" : trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/** Dropbox-API-Arg must be ASCII: 0x7F and every non-ASCII character escaped as \uXXXX. */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
