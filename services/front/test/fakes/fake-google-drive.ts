import { createHash, randomBytes } from "node:crypto";
import { basicAuth, bearerOf, formParams, startFakeServer, type Fault, type FakeRequest } from "./fake-http.ts";

/**
 * A fake Google OAuth 2 + Drive v3 speaking the real wire protocol
 * (../../../../../shared/providers/google-drive.md): accounts host (consent → 302 with code and
 * granted scope), oauth2 host (/token with client_secret_post or Basic, PKCE S256, single-use codes
 * bound to redirect_uri, refresh without rotation, /revoke ending the grant), Drive host (about.get
 * requiring `fields`, files.list with the `q` subset, folder create, multipart and resumable
 * uploads, Google's error envelope with 401 authError, 429/403 rate limits and 5xx backendError).
 */
export interface FakeGoogleDrive {
  readonly accountsUrl: string;
  readonly oauthUrl: string;
  readonly driveUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The user consenting: a code as the redirect carries it (scope: what was ticked). */
  approve(options: { redirectUri: string; codeChallenge?: string; scope?: string }): string;
  readonly files: Map<string, DriveFile>;
  /** Every call (route, status, and an upload's uploadType; never a token). */
  readonly calls: Array<{ route: string; status: number; uploadType?: string }>;
  fail(
    route: "upload" | "files.list" | "files.create" | "about",
    fault: Fault | { status: 403; reason: "userRateLimitExceeded" },
    count?: number,
  ): void;
  /** Moves the token clock forward: access tokens live 3599 s. */
  advance(ms: number): void;
  /** The user removing the app's access: every token of the grant dies. */
  unlinkAll(): void;
  readonly revoked: Set<string>;
  /** Every access and refresh token handed out (tests check none leaks). */
  readonly issued: string[];
  /** The full path of a file: its folders' names from My Drive down, and its name. */
  pathOf(file: DriveFile): string;
  close(): Promise<void>;
}

export interface DriveFile {
  readonly id: string;
  readonly name: string;
  readonly mimeType: string;
  readonly parents: readonly string[];
  readonly bytes: Buffer;
  readonly createdTime: string;
}

const DRIVE_FILE = "https://www.googleapis.com/auth/drive.file";
const FOLDER = "application/vnd.google-apps.folder";
const ACCESS_TTL_S = 3599;

interface Code {
  readonly redirectUri: string;
  readonly codeChallenge?: string;
  readonly scope: string;
  used: boolean;
}

type AnyFault = Fault | { status: 403; reason: "userRateLimitExceeded" };

export async function startFakeGoogleDrive(): Promise<FakeGoogleDrive> {
  const clientId = "123456789012-fake.apps.googleusercontent.com";
  const clientSecret = "GOCSPX-fakesecret";
  const codes = new Map<string, Code>();
  const access = new Map<string, { grant: string; issuedAt: number }>();
  const refreshGrants = new Map<string, string>();
  const deadGrants = new Set<string>();
  const revoked = new Set<string>();
  const issued: string[] = [];
  const files = new Map<string, DriveFile>();
  const calls: FakeGoogleDrive["calls"] = [];
  const faults = new Map<string, AnyFault[]>();
  const sessions = new Map<string, { metadata: Record<string, unknown>; type: string; received: Buffer }>();
  let clock = 0;
  const now = () => Date.now() + clock;

  const send = (
    req: FakeRequest,
    route: string,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    calls.push({ route, status });
    const text = body === undefined ? "" : JSON.stringify(body);
    req.res
      .writeHead(
        status,
        body === undefined ? headers : { "content-type": "application/json; charset=UTF-8", ...headers },
      )
      .end(text);
  };
  const googleError = (
    req: FakeRequest,
    route: string,
    code: number,
    reason: string,
    message: string,
    extra: Record<string, string> = {},
    headers: Record<string, string> = {},
  ) =>
    send(
      req,
      route,
      code,
      {
        error: {
          code,
          message,
          errors: [{ message, domain: reason.endsWith("Exceeded") ? "usageLimits" : "global", reason, ...extra }],
          ...(code === 401 ? { status: "UNAUTHENTICATED" } : {}),
        },
      },
      headers,
    );

  const injected = (req: FakeRequest, route: string): boolean => {
    const fault = faults.get(route)?.shift();
    if (!fault) return false;
    if (fault.status === 403) googleError(req, route, 403, fault.reason, "User Rate Limit Exceeded");
    else if (fault.status === 429)
      googleError(
        req,
        route,
        429,
        "rateLimitExceeded",
        "Rate Limit Exceeded",
        {},
        fault.retryAfterSeconds ? { "retry-after": String(fault.retryAfterSeconds) } : {},
      );
    else googleError(req, route, fault.status, "backendError", "Backend Error");
    return true;
  };

  const authorised = (req: FakeRequest, route: string): boolean => {
    const token = bearerOf(req);
    const known = token ? access.get(token) : undefined;
    if (!known || deadGrants.has(known.grant) || now() - known.issuedAt >= ACCESS_TTL_S * 1000) {
      googleError(
        req,
        route,
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        { location: "Authorization", locationType: "header" },
      );
      return false;
    }
    return true;
  };

  const mint = (grant: string) => {
    const token = `ya29.${randomBytes(30).toString("base64url")}`;
    issued.push(token);
    access.set(token, { grant, issuedAt: now() });
    return token;
  };

  const oauth = await startFakeServer((req) => {
    const p = formParams(req);
    if (req.url.pathname === "/revoke") {
      const token = p.get("token") ?? "";
      const grant = refreshGrants.get(token) ?? access.get(token)?.grant;
      if (!grant || deadGrants.has(grant))
        return send(req, "revoke", 400, { error: "invalid_token", error_description: "Token expired or revoked" });
      deadGrants.add(grant);
      revoked.add(grant);
      return send(req, "revoke", 200, {});
    }
    if (req.url.pathname !== "/token" || req.method !== "POST") return send(req, "oauth", 404, { error: "not_found" });
    const basic = basicAuth(req);
    const id = basic?.user ?? p.get("client_id");
    const secret = basic?.password ?? p.get("client_secret");
    if (id !== clientId)
      return send(req, "token", 401, { error: "invalid_client", error_description: "The OAuth client was not found." });
    if (secret !== clientSecret)
      return send(req, "token", 401, { error: "invalid_client", error_description: "Unauthorized" });
    const grantType = p.get("grant_type");
    if (grantType === "authorization_code") {
      const code = codes.get(p.get("code") ?? "");
      if (!code || code.used)
        return send(req, "token", 400, { error: "invalid_grant", error_description: "Bad Request" });
      if (p.get("redirect_uri") !== code.redirectUri)
        return send(req, "token", 400, { error: "redirect_uri_mismatch", error_description: "Bad Request" });
      if (
        code.codeChallenge &&
        createHash("sha256")
          .update(p.get("code_verifier") ?? "")
          .digest("base64url") !== code.codeChallenge
      ) {
        return send(req, "token", 400, { error: "invalid_grant", error_description: "Bad Request" });
      }
      code.used = true;
      const grant = randomBytes(8).toString("hex");
      const refresh = `1//${randomBytes(40).toString("base64url")}`;
      refreshGrants.set(refresh, grant);
      issued.push(refresh);
      return send(req, "token", 200, {
        access_token: mint(grant),
        expires_in: ACCESS_TTL_S,
        refresh_token: refresh,
        scope: code.scope,
        token_type: "Bearer",
      });
    }
    if (grantType === "refresh_token") {
      const grant = refreshGrants.get(p.get("refresh_token") ?? "");
      if (!grant || deadGrants.has(grant))
        return send(req, "token", 400, {
          error: "invalid_grant",
          error_description: "Token has been expired or revoked.",
        });
      return send(req, "token", 200, {
        access_token: mint(grant),
        expires_in: ACCESS_TTL_S,
        scope: DRIVE_FILE,
        token_type: "Bearer",
      });
    }
    return send(req, "token", 400, {
      error: "unsupported_grant_type",
      error_description: `Invalid grant_type: ${grantType ?? ""}`,
    });
  });

  const fileResource = (f: DriveFile, fields: string | null): Record<string, unknown> => {
    const all: Record<string, unknown> = {
      kind: "drive#file",
      id: f.id,
      name: f.name,
      mimeType: f.mimeType,
      parents: f.parents,
      createdTime: f.createdTime,
      modifiedTime: f.createdTime,
    };
    if (f.mimeType !== FOLDER)
      Object.assign(all, {
        size: String(f.bytes.length),
        md5Checksum: createHash("md5").update(f.bytes).digest("hex"),
      });
    const wanted = fields ? fields.split(",").map((s) => s.trim()) : ["kind", "id", "name", "mimeType"];
    return Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k)));
  };
  const create = (metadata: Record<string, unknown>, bytes: Buffer, mediaType: string): DriveFile => {
    const parents =
      Array.isArray(metadata.parents) && metadata.parents.length > 0 ? [String(metadata.parents[0])] : ["root"];
    const file: DriveFile = {
      id: randomBytes(25).toString("base64url").slice(0, 33),
      name: String(metadata.name ?? "Untitled"),
      mimeType: String(metadata.mimeType ?? mediaType ?? "application/octet-stream"),
      parents,
      bytes,
      createdTime: new Date().toISOString(),
    };
    files.set(file.id, file);
    return file;
  };

  const drive = await startFakeServer((req) => {
    const path = req.url.pathname;
    const fields = req.url.searchParams.get("fields");
    if (path === "/drive/v3/about") {
      if (injected(req, "about") || !authorised(req, "about")) return;
      if (!fields)
        return googleError(req, "about", 400, "required", "The 'fields' parameter is required for this method.", {
          location: "fields",
          locationType: "parameter",
        });
      return send(req, "about", 200, {
        user: {
          kind: "drive#user",
          displayName: "Ada Lovelace",
          emailAddress: "ada@example.com",
          me: true,
          permissionId: "01234567890123456789",
        },
        storageQuota: { limit: "16106127360", usage: "0" },
      });
    }
    if (path === "/drive/v3/files" && req.method === "GET") {
      if (injected(req, "files.list") || !authorised(req, "files.list")) return;
      const q = req.url.searchParams.get("q") ?? "";
      const matches = [...files.values()].filter((f) => matchesQuery(f, q));
      return send(req, "files.list", 200, {
        kind: "drive#fileList",
        incompleteSearch: false,
        files: matches.map((f) => fileResource(f, "id,name")),
      });
    }
    if (path === "/drive/v3/files" && req.method === "POST") {
      if (injected(req, "files.create") || !authorised(req, "files.create")) return;
      const metadata = JSON.parse(req.body.toString("utf8") || "{}") as Record<string, unknown>;
      return send(req, "files.create", 200, fileResource(create(metadata, Buffer.alloc(0), FOLDER), fields));
    }
    if (path === "/upload/drive/v3/files") {
      if (injected(req, "upload") || !authorised(req, "upload")) return;
      const type = req.url.searchParams.get("uploadType");
      const sent = calls.length;
      req.res.once("finish", () => {
        if (calls[sent]) calls[sent] = { ...calls[sent]!, uploadType: type ?? "" };
      });
      if (type === "multipart" && req.method === "POST") {
        const parts = parseMultipartRelated(String(req.headers["content-type"] ?? ""), req.body);
        if (!parts)
          return googleError(
            req,
            "upload",
            400,
            "badContent",
            "Media type 'multipart/related' requires exactly two parts: metadata first, then media.",
          );
        const metadata = JSON.parse(parts[0]!.body.toString("utf8") || "{}") as Record<string, unknown>;
        return send(req, "upload", 200, fileResource(create(metadata, parts[1]!.body, parts[1]!.type), fields));
      }
      if (type === "resumable" && req.method === "POST") {
        const id = randomBytes(16).toString("base64url");
        sessions.set(id, {
          metadata: JSON.parse(req.body.toString("utf8") || "{}") as Record<string, unknown>,
          type: String(req.headers["x-upload-content-type"] ?? "application/octet-stream"),
          received: Buffer.alloc(0),
        });
        return send(req, "upload", 200, undefined, {
          location: `${drive.url}/upload/drive/v3/files?uploadType=resumable&upload_id=${id}`,
          "x-guploader-uploadid": id,
        });
      }
      const uploadId = req.url.searchParams.get("upload_id");
      const session = uploadId ? sessions.get(uploadId) : undefined;
      if (type === "resumable" && session && (req.method === "PUT" || req.method === "POST")) {
        // Content-Range: "bytes a-b/N", "bytes a-b/*", "bytes */N" (status query or empty final chunk).
        const range = /^bytes (\*|(\d+)-(\d+))\/(\*|\d+)$/.exec(
          String(req.headers["content-range"] ?? `bytes */${req.body.length}`),
        );
        if (!range) return googleError(req, "upload", 400, "badRequest", "Invalid Content-Range header.");
        if (range[2] !== undefined) {
          if (Number(range[2]) !== session.received.length)
            return send(
              req,
              "upload",
              308,
              undefined,
              session.received.length ? { range: `bytes=0-${session.received.length - 1}` } : {},
            );
          session.received = Buffer.concat([session.received, req.body]);
        }
        const total = range[4] === "*" ? undefined : Number(range[4]);
        if (total !== undefined && session.received.length >= total) {
          sessions.delete(uploadId!);
          return send(
            req,
            "upload",
            200,
            fileResource(create(session.metadata, session.received, session.type), fields),
          );
        }
        const headers: Record<string, string> = session.received.length
          ? { range: `bytes=0-${session.received.length - 1}` }
          : {};
        if (req.headers["x-guploader-no-308"] === "yes")
          return send(req, "upload", 200, undefined, { ...headers, "x-http-status-code-override": "308" });
        return send(req, "upload", 308, undefined, headers);
      }
      if (type === "resumable") return googleError(req, "upload", 404, "notFound", "Upload session not found.");
      return googleError(req, "upload", 400, "badRequest", `Invalid uploadType: ${type ?? ""}`);
    }
    return googleError(req, "drive", 404, "notFound", "Not Found");
  });

  const accounts = await startFakeServer((req) => {
    if (req.url.pathname !== "/o/oauth2/v2/auth") return void req.res.writeHead(404).end();
    const p = req.url.searchParams;
    const redirectUri = p.get("redirect_uri");
    if (p.get("client_id") !== clientId || !redirectUri)
      return void req.res
        .writeHead(400, { "content-type": "text/html" })
        .end("<html>Error 400: invalid_request</html>");
    const scope = p.get("scope") ?? "";
    const code = issue({ redirectUri, codeChallenge: p.get("code_challenge") ?? undefined, scope });
    const back = new URL(redirectUri);
    back.searchParams.set("state", p.get("state") ?? "");
    back.searchParams.set("code", code);
    back.searchParams.set("scope", scope);
    req.res.writeHead(302, { location: back.toString() }).end();
  });

  function issue(options: { redirectUri: string; codeChallenge?: string; scope?: string }): string {
    const code = `4/0A${randomBytes(30).toString("base64url")}`;
    codes.set(code, {
      redirectUri: options.redirectUri,
      codeChallenge: options.codeChallenge,
      scope: options.scope ?? DRIVE_FILE,
      used: false,
    });
    return code;
  }

  const pathOf = (file: DriveFile): string => {
    const names = [file.name];
    let parent = file.parents[0];
    while (parent && parent !== "root") {
      const folder = files.get(parent);
      if (!folder) break;
      names.unshift(folder.name);
      parent = folder.parents[0];
    }
    return `/${names.join("/")}`;
  };

  return {
    accountsUrl: accounts.url,
    oauthUrl: oauth.url,
    driveUrl: drive.url,
    clientId,
    clientSecret,
    approve: issue,
    files,
    calls,
    revoked,
    issued,
    pathOf,
    fail(route, fault, count = 1) {
      faults.set(route, [...(faults.get(route) ?? []), ...Array.from({ length: count }, () => fault)]);
    },
    advance(ms) {
      clock += ms;
    },
    unlinkAll() {
      for (const grant of refreshGrants.values()) deadGrants.add(grant);
    },
    async close() {
      await Promise.all([oauth.close(), drive.close(), accounts.close()] as Array<Promise<void>>);
    },
  };
}

/** The subset of Drive's `q` the fake answers: `name = '…'`, `mimeType = '…'`, `'id' in parents`, `trashed = false`, joined by `and`. */
function matchesQuery(file: DriveFile, q: string): boolean {
  const clauses = q.split(/\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)/).filter(Boolean);
  return clauses.every((clause) => {
    const unquote = (s: string) => s.replace(/^'|'$/g, "").replace(/\\'/g, "'").replace(/\\\\/g, "\\");
    let m = /^name\s*=\s*('(?:[^'\\]|\\.)*')$/.exec(clause.trim());
    if (m) return file.name === unquote(m[1]!);
    m = /^mimeType\s*=\s*('(?:[^'\\]|\\.)*')$/.exec(clause.trim());
    if (m) return file.mimeType === unquote(m[1]!);
    m = /^('(?:[^'\\]|\\.)*')\s+in\s+parents$/.exec(clause.trim());
    if (m) return file.parents.includes(unquote(m[1]!));
    if (/^trashed\s*=\s*false$/.test(clause.trim())) return true;
    throw new Error(`the fake does not understand q clause: ${clause}`);
  });
}

/** Exactly two parts (metadata, media), tolerant of charset-less JSON and a missing final CRLF. */
function parseMultipartRelated(contentType: string, body: Buffer): Array<{ type: string; body: Buffer }> | undefined {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!contentType.startsWith("multipart/related") || !boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ type: string; body: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return undefined;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF--
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) return undefined;
    const headers = part.subarray(0, split).toString("utf8");
    parts.push({
      type: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? "",
      body: part.subarray(split + 4),
    });
    at = next;
  }
  if (parts.length !== 2 || !parts[0]!.type.startsWith("application/json")) return undefined;
  return parts;
}
