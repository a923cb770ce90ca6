import { randomUUID } from "node:crypto";
import type { GoogleConfig } from "./integration-config.ts";
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

const NAME = "google drive";
export const DRIVE_FILE_SCOPE = "https://www.googleapis.com/auth/drive.file";
const FOLDER_TYPE = "application/vnd.google-apps.folder";
// Drive's guide: multipart for files up to 5 MB, a resumable session above.
const MULTIPART_MAX_BYTES = 5 * 1024 * 1024;
// 403 reasons that are rate limits (retry with backoff), not refusals.
const RATE_LIMIT_REASONS = new Set(["userRateLimitExceeded", "rateLimitExceeded"]);

/**
 * Google OAuth 2 + Drive v3 over plain fetch (protocol: ../shared/providers/google-drive.md).
 * `googleapis` is not used: it is a very large dependency for four calls, and gaxios never
 * retries a multipart POST; our queue schedules every retry itself from the raw status.
 */
export class GoogleDriveClient implements StorageService {
  readonly id = "google_drive" as const;
  readonly name = "Google Drive";

  constructor(private readonly config: GoogleConfig) {}

  authorizeUrl(options: { redirectUri?: string; state: string; codeChallenge: string }): string {
    const url = new URL(`${this.config.accountsUrl}/o/oauth2/v2/auth`);
    url.searchParams.set("client_id", this.config.clientId);
    if (options.redirectUri) url.searchParams.set("redirect_uri", options.redirectUri);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("scope", DRIVE_FILE_SCOPE);
    // Offline + consent: a refresh token on every connect, not only the first.
    url.searchParams.set("access_type", "offline");
    url.searchParams.set("prompt", "consent");
    url.searchParams.set("include_granted_scopes", "true");
    url.searchParams.set("state", options.state);
    url.searchParams.set("code_challenge", options.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
    return url.toString();
  }

  async exchangeCode(exchange: CodeExchange): Promise<TokenSet> {
    const form = new URLSearchParams({ grant_type: "authorization_code", code: exchange.code });
    if (exchange.redirectUri) form.set("redirect_uri", exchange.redirectUri);
    if (exchange.codeVerifier) form.set("code_verifier", exchange.codeVerifier);
    const body = await this.token(form, "refused");
    // Granular consent: the user may have unticked drive.file.
    if (
      !String(body.scope ?? "")
        .split(" ")
        .includes(DRIVE_FILE_SCOPE)
    )
      throw new ServiceCallError(
        "refused",
        "google did not grant the drive.file scope: connect again and allow access to files",
      );
    if (!body.refresh_token)
      throw new ServiceCallError("refused", "google returned no refresh token (offline access was not granted)");
    return toTokens(body, String(body.refresh_token));
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    const body = await this.token(
      new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
      "reauth",
    );
    return toTokens(body, typeof body.refresh_token === "string" ? body.refresh_token : refreshToken);
  }

  async account(accessToken: string): Promise<ServiceAccount> {
    const res = await send(
      NAME,
      `${this.config.driveApiUrl}/drive/v3/about?fields=${encodeURIComponent("user(displayName,emailAddress,permissionId)")}`,
      { headers: bearer(accessToken) },
    );
    const user = ((await json(res, "about.get")).user ?? {}) as Record<string, unknown>;
    return {
      id: String(user.permissionId ?? ""),
      name: String(user.displayName ?? ""),
      email: String(user.emailAddress ?? ""),
    };
  }

  async ensureFolder(accessToken: string, folderPath: string): Promise<string> {
    let parent = "root";
    for (const name of folderPath.split("/").filter((s) => s.trim() !== "")) {
      // Names are not unique in Drive: look before creating, and take the first match.
      const q = `name = '${name.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}' and mimeType = '${FOLDER_TYPE}' and '${parent}' in parents and trashed = false`;
      const found = await send(
        NAME,
        `${this.config.driveApiUrl}/drive/v3/files?q=${encodeURIComponent(q)}&fields=${encodeURIComponent("files(id,name)")}`,
        { headers: bearer(accessToken) },
      );
      const files = ((await json(found, "files.list")).files ?? []) as Array<Record<string, unknown>>;
      if (files[0]?.id) {
        parent = String(files[0].id);
        continue;
      }
      const created = await send(NAME, `${this.config.driveApiUrl}/drive/v3/files?fields=id`, {
        method: "POST",
        headers: { ...bearer(accessToken), "content-type": "application/json; charset=UTF-8" },
        body: JSON.stringify({ name, mimeType: FOLDER_TYPE, parents: [parent] }),
      });
      parent = String((await json(created, "files.create")).id);
    }
    return parent;
  }

  async upload(
    accessToken: string,
    folder: { path: string; ref: string },
    name: string,
    bytes: Uint8Array,
    mimeType: string,
  ): Promise<UploadedFile> {
    const metadata = { name, mimeType, parents: [folder.ref] };
    const file =
      bytes.length > MULTIPART_MAX_BYTES
        ? await this.resumable(accessToken, metadata, bytes)
        : await this.multipart(accessToken, metadata, bytes);
    // Drive never overwrites by name: a second file of the same name is another file.
    const folderPath = folder.path.replace(/\/+$/, "");
    return { remotePath: `${folderPath}/${String(file.name ?? name)}` };
  }

  /** One multipart/related request: metadata first, then the bytes (Drive's way up to 5 MB). */
  private async multipart(
    accessToken: string,
    metadata: { name: string; mimeType: string; parents: string[] },
    bytes: Uint8Array,
  ): Promise<Record<string, unknown>> {
    const { mimeType } = metadata;
    const boundary = `imagegen-${randomUUID()}`;
    const head = `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n--${boundary}\r\nContent-Type: ${mimeType}\r\n\r\n`;
    const body = Buffer.concat([Buffer.from(head, "utf8"), bytes, Buffer.from(`\r\n--${boundary}--\r\n`, "utf8")]);
    const res = await send(
      NAME,
      `${this.config.driveApiUrl}/upload/drive/v3/files?uploadType=multipart&fields=${encodeURIComponent("id,name")}`,
      {
        method: "POST",
        headers: { ...bearer(accessToken), "content-type": `multipart/related; boundary=${boundary}` },
        body,
      },
    );
    return json(res, "files.create (upload)");
  }

  /**
   * A resumable session (larger files): start with the metadata, then every byte in one final
   * chunk. A failed chunk fails the attempt; the queue's retry starts a new session.
   */
  private async resumable(
    accessToken: string,
    metadata: { name: string; mimeType: string; parents: string[] },
    bytes: Uint8Array,
  ): Promise<Record<string, unknown>> {
    const start = await send(
      NAME,
      `${this.config.driveApiUrl}/upload/drive/v3/files?uploadType=resumable&fields=${encodeURIComponent("id,name")}`,
      {
        method: "POST",
        headers: {
          ...bearer(accessToken),
          "content-type": "application/json; charset=UTF-8",
          "x-upload-content-type": metadata.mimeType,
          "x-upload-content-length": String(bytes.length),
        },
        body: JSON.stringify(metadata),
      },
    );
    const session = start.headers.get("location");
    if (!start.ok) return json(start, "files.create (resumable start)");
    if (!session) throw new ServiceCallError("retry", "google drive started no upload session (no Location header)");
    // The session URI is the service's own answer to an operator-trusted host: used as given.
    const res = await send(NAME, session, {
      method: "PUT",
      headers: { ...bearer(accessToken), "content-range": `bytes 0-${bytes.length - 1}/${bytes.length}` },
      body: bytes,
    });
    // 308: Drive kept only part of the bytes; the retry starts over with a new session.
    if (res.status === 308) throw new ServiceCallError("retry", "google drive kept only part of the upload");
    return json(res, "files.create (resumable chunk)");
  }

  async revoke(tokens: TokenSet): Promise<void> {
    // Revoking the refresh token ends the whole grant; an already dead token is revoked enough.
    const res = await send(NAME, `${this.config.oauthUrl}/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: tokens.refreshToken }).toString(),
    });
    if (res.ok || res.status === 400) return;
    throw new ServiceCallError(
      failureOf(res.status) === "retry" ? "retry" : "refused",
      `google's revoke endpoint answered ${res.status}`,
    );
  }

  private token(form: URLSearchParams, onInvalidGrant: "refused" | "reauth"): Promise<Record<string, unknown>> {
    return requestTokens(
      {
        service: NAME,
        url: `${this.config.oauthUrl}/token`,
        clientId: this.config.clientId,
        clientSecret: this.config.clientSecret,
      },
      form,
      onInvalidGrant,
    );
  }
}

/** The JSON body of a 2xx, or a ServiceCallError classified by status and `errors[0].reason`. */
async function json(res: Response, call: string): Promise<Record<string, unknown>> {
  const body = await lenientJsonBody(res);
  if (res.ok) return body;
  const error = (body.error ?? {}) as Record<string, unknown>;
  const reason = String(((error.errors ?? []) as Array<Record<string, unknown>>)[0]?.reason ?? "");
  const failure = res.status === 403 && RATE_LIMIT_REASONS.has(reason) ? "retry" : failureOf(res.status);
  throw new ServiceCallError(
    failure,
    `google drive ${call} answered ${res.status}${reason ? ` ${reason}` : ""}`,
    retryAfterMs(res.headers.get("retry-after")),
  );
}
