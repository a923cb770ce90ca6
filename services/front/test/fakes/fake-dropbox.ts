import { createHash, randomBytes } from "node:crypto";
import { basicAuth, bearerOf, formParams, startFakeServer, type Fault, type FakeRequest } from "./fake-http.ts";

/**
 * A fake Dropbox API v2 that speaks the real wire protocol (../../../../../shared/providers/dropbox.md):
 * three hosts (web: /oauth2/authorize; api: /oauth2/token and RPC routes; content: files/upload),
 * single-use codes bound to redirect_uri with PKCE S256, short-lived access tokens with a clock
 * the test moves, refresh without rotation, revoke that kills the refresh token and its siblings,
 * stone-shaped JSON errors with random dots in error_summary, upload conflicts with autorename,
 * and scripted 429 (with Retry-After) / 5xx faults.
 */
export interface FakeDropbox {
  readonly webUrl: string;
  readonly apiUrl: string;
  readonly contentUrl: string;
  readonly appKey: string;
  readonly appSecret: string;
  /** The user approving the consent page: a code as the redirect would carry it. */
  approve(options?: { redirectUri?: string; codeChallenge?: string; offline?: boolean }): string;
  /** Files by their displayed path. */
  readonly files: Map<string, StoredFile>;
  readonly folders: Set<string>;
  /** Every call in arrival order (route, host, and an upload's path; tokens never). */
  readonly calls: Array<{ host: "web" | "api" | "content"; route: string; status: number; path?: string }>;
  /** The next `count` calls of `route` answer with `fault`. */
  fail(route: string, fault: Fault, count?: number): void;
  /** Moves the token clock forward: access tokens older than 4 h are expired. */
  advance(ms: number): void;
  /** The user unlinking the app in their Dropbox settings: every token of the account dies. */
  unlinkAll(): void;
  /** Holds every upload unanswered (and unstored) until `release()`; a dropped connection stores nothing. */
  holdUploads(): void;
  releaseUploads(): void;
  /** Revocations received, by refresh token family. */
  readonly revoked: Set<string>;
  /** Every access and refresh token handed out (tests check none leaks). */
  readonly issued: string[];
  close(): Promise<void>;
}

export interface StoredFile {
  readonly name: string;
  readonly pathDisplay: string;
  readonly bytes: Buffer;
  readonly rev: string;
  readonly id: string;
  readonly contentHash: string;
}

const ACCESS_TTL_S = 14_400;
const ACCOUNT = {
  account_id: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
  name: {
    given_name: "Ada",
    surname: "Lovelace",
    familiar_name: "Ada",
    display_name: "Ada Lovelace",
    abbreviated_name: "AL",
  },
  email: "ada@example.com",
  email_verified: true,
  disabled: false,
  country: "GB",
  locale: "en",
  referral_link: "https://db.tt/ZITNuhtI",
  is_paired: false,
  account_type: { ".tag": "basic" },
  root_info: { ".tag": "user", root_namespace_id: "3235641", home_namespace_id: "3235641" },
};
const UPLOAD_ARG_FIELDS = new Set([
  "path",
  "mode",
  "autorename",
  "client_modified",
  "mute",
  "strict_conflict",
  "property_groups",
  "content_hash",
]);

interface Code {
  readonly redirectUri?: string;
  readonly codeChallenge?: string;
  readonly offline: boolean;
  used: boolean;
}
interface Access {
  readonly family: string;
  readonly issuedAt: number;
}

export async function startFakeDropbox(): Promise<FakeDropbox> {
  const appKey = "fakeappkey123";
  const appSecret = "fakeappsecret456";
  const codes = new Map<string, Code>();
  const access = new Map<string, Access>();
  const refreshFamilies = new Map<string, string>(); // refresh token → family
  const deadFamilies = new Set<string>();
  const files = new Map<string, StoredFile>();
  const folders = new Set<string>();
  const calls: FakeDropbox["calls"] = [];
  const faults = new Map<string, Fault[]>();
  const revoked = new Set<string>();
  const issued: string[] = [];
  let clock = 0;
  let holding = false;
  let held: Array<() => void> = [];
  const now = () => Date.now() + clock;

  const send = (
    req: FakeRequest,
    host: "web" | "api" | "content",
    route: string,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    calls.push({ host, route, status });
    req.res.writeHead(status, { "x-dropbox-request-id": randomBytes(16).toString("hex"), ...headers }).end(body);
  };
  const json = (req: FakeRequest, host: "api" | "content", route: string, status: number, value: unknown) =>
    send(req, host, route, status, JSON.stringify(value), { "content-type": "application/json" });
  const text = (req: FakeRequest, host: "api" | "content", route: string, status: number, message: string) =>
    send(req, host, route, status, `Error in call to API function "${route}": ${message}`, {
      "content-type": "text/plain; charset=utf-8",
    });
  // error_summary: the tag path, a trailing "/" and 0-3 random dots, as Dropbox sends it.
  const summary = (path: string) => `${path}/${".".repeat(Math.floor(Math.random() * 4))}`;
  const routeError = (
    req: FakeRequest,
    host: "api" | "content",
    route: string,
    status: number,
    path: string,
    error: unknown,
  ) => json(req, host, route, status, { error_summary: summary(path), error });

  const injected = (req: FakeRequest, host: "api" | "content", route: string): boolean => {
    const queue = faults.get(route);
    const fault = queue?.shift();
    if (!fault) return false;
    if (fault.status === 429) {
      const headers = { "retry-after": String(fault.retryAfterSeconds ?? 1) };
      if (fault.plainText)
        send(req, host, route, 429, "too_many_requests", { ...headers, "content-type": "text/plain; charset=utf-8" });
      else
        send(
          req,
          host,
          route,
          429,
          JSON.stringify({
            error_summary: summary("too_many_write_operations"),
            error: { reason: { ".tag": "too_many_write_operations" }, retry_after: fault.retryAfterSeconds ?? 1 },
          }),
          { ...headers, "content-type": "application/json" },
        );
    } else
      send(req, host, route, fault.status, "<html><body>Internal Server Error</body></html>", {
        "content-type": "text/html",
      });
    return true;
  };

  /** The bearer's family, or false after answering 400/401 as Dropbox does. */
  const authorised = (req: FakeRequest, host: "api" | "content", route: string): string | false => {
    const token = bearerOf(req);
    if (token === undefined) {
      text(req, host, route, 400, 'Must provide HTTP header "Authorization" or URL parameter "authorization".');
      return false;
    }
    if (!token.startsWith("sl.")) {
      text(req, host, route, 400, "The given OAuth 2 access token is malformed.");
      return false;
    }
    const known = access.get(token);
    const unauthorised = (tag: string) => {
      calls.push({ host, route, status: 401 });
      req.res
        .writeHead(401, {
          "content-type": "application/json",
          "www-authenticate": "Dropbox-API",
          "x-dropbox-request-id": randomBytes(16).toString("hex"),
        })
        .end(JSON.stringify({ error_summary: summary(tag), error: { ".tag": tag } }));
      return false as const;
    };
    if (!known || deadFamilies.has(known.family)) return unauthorised("invalid_access_token");
    if (now() - known.issuedAt >= ACCESS_TTL_S * 1000) return unauthorised("expired_access_token");
    return known.family;
  };

  const mint = (family: string): string => {
    const token = `sl.${randomBytes(24).toString("base64url")}`;
    issued.push(token);
    access.set(token, { family, issuedAt: now() });
    return token;
  };

  const tokenError = (req: FakeRequest, status: number, error: string, description?: string) =>
    send(
      req,
      "api",
      "oauth2/token",
      status,
      JSON.stringify(description ? { error, error_description: description } : { error }),
      { "content-type": "application/json" },
    );

  const tokenEndpoint = (req: FakeRequest) => {
    const p = formParams(req);
    const basic = basicAuth(req);
    const clientId = basic?.user ?? p.get("client_id");
    const secret = basic?.password ?? p.get("client_secret");
    if (clientId !== appKey) return tokenError(req, 400, "invalid_client", "Invalid client_id or client_secret");
    if (secret !== null && secret !== undefined && secret !== appSecret)
      return tokenError(req, 400, "invalid_client", "Invalid client_id or client_secret");
    const grant = p.get("grant_type");
    if (grant === "authorization_code") {
      const code = codes.get(p.get("code") ?? "");
      if (!code || code.used) return tokenError(req, 400, "invalid_grant", "code doesn't exist or has expired");
      if ((p.get("redirect_uri") ?? undefined) !== code.redirectUri)
        return tokenError(req, 400, "invalid_grant", "redirect_uri mismatch");
      if (code.codeChallenge) {
        const verifier = p.get("code_verifier") ?? "";
        if (createHash("sha256").update(verifier).digest("base64url") !== code.codeChallenge)
          return tokenError(req, 400, "invalid_grant", "invalid code verifier");
      } else if (secret === null || secret === undefined)
        return tokenError(req, 400, "invalid_request", "No auth function available for given request");
      code.used = true;
      const family = randomBytes(8).toString("hex");
      const body: Record<string, unknown> = {
        access_token: mint(family),
        token_type: "bearer",
        expires_in: ACCESS_TTL_S,
        scope: "account_info.read files.content.write",
        uid: "12345",
        account_id: ACCOUNT.account_id,
      };
      if (code.offline) {
        const refresh = randomBytes(32).toString("base64url");
        refreshFamilies.set(refresh, family);
        issued.push(refresh);
        body.refresh_token = refresh;
      }
      return send(req, "api", "oauth2/token", 200, JSON.stringify(body), { "content-type": "application/json" });
    }
    if (grant === "refresh_token") {
      const family = refreshFamilies.get(p.get("refresh_token") ?? "");
      if (!family) return tokenError(req, 400, "invalid_grant", "refresh token is malformed");
      if (deadFamilies.has(family)) return tokenError(req, 400, "invalid_grant", "refresh token is invalid or revoked");
      // No rotation: the refresh token stays the same, so none is returned.
      return send(
        req,
        "api",
        "oauth2/token",
        200,
        JSON.stringify({ access_token: mint(family), token_type: "bearer", expires_in: ACCESS_TTL_S }),
        { "content-type": "application/json" },
      );
    }
    return tokenError(req, 400, "unsupported_grant_type");
  };

  /** A Void RPC route's body: none, or `null`; JSON with an empty body is a 400, as at Dropbox. */
  const voidArgumentOk = (req: FakeRequest, route: string): boolean => {
    const type = String(req.headers["content-type"] ?? "");
    const body = req.body.toString("utf8").trim();
    if (type.startsWith("application/json") && body === "") {
      text(req, "api", route, 400, "request body: could not decode input as JSON");
      return false;
    }
    if (body !== "" && body !== "null") {
      text(req, "api", route, 400, "request body: expected null, got value");
      return false;
    }
    return true;
  };

  const ensureParents = (pathDisplay: string) => {
    const parts = pathDisplay.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) folders.add(`/${parts.slice(0, i).join("/")}`.toLowerCase());
  };

  const api = await startFakeServer((req) => {
    const route = req.url.pathname.replace(/^\/(2\/)?/, "");
    if (req.method !== "POST") return text(req, "api", route, 400, "Only POST is allowed");
    if (req.url.pathname === "/oauth2/token") return tokenEndpoint(req);
    if (injected(req, "api", route)) return;
    if (route === "users/get_current_account") {
      if (!voidArgumentOk(req, route) || authorised(req, "api", route) === false) return;
      return json(req, "api", route, 200, ACCOUNT);
    }
    if (route === "auth/token/revoke") {
      if (!voidArgumentOk(req, route)) return;
      const family = authorised(req, "api", route);
      if (family === false) return;
      deadFamilies.add(family);
      revoked.add(family);
      return send(req, "api", route, 200, "null", { "content-type": "application/json" });
    }
    if (route === "files/create_folder_v2") {
      if (authorised(req, "api", route) === false) return;
      let arg: { path?: unknown; autorename?: unknown };
      try {
        arg = JSON.parse(req.body.toString("utf8")) as typeof arg;
      } catch {
        return text(req, "api", route, 400, "request body: could not decode input as JSON");
      }
      const path = String(arg.path ?? "");
      if (!/^\/.+/.test(path))
        return text(
          req,
          "api",
          route,
          400,
          `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)'`,
        );
      const lower = path.toLowerCase();
      if (folders.has(lower))
        return routeError(req, "api", route, 409, "path/conflict/folder", {
          ".tag": "path",
          path: { ".tag": "conflict", conflict: { ".tag": "folder" } },
        });
      if (files.has(lower))
        return routeError(req, "api", route, 409, "path/conflict/file", {
          ".tag": "path",
          path: { ".tag": "conflict", conflict: { ".tag": "file" } },
        });
      ensureParents(path);
      folders.add(lower);
      return json(req, "api", route, 200, {
        metadata: {
          name: path.split("/").pop(),
          path_lower: lower,
          path_display: path,
          id: `id:${randomBytes(12).toString("base64url")}`,
        },
      });
    }
    return text(req, "api", route, 400, "Unknown API function");
  });

  const content = await startFakeServer((req) => {
    const route = req.url.pathname.replace(/^\/2\//, "");
    if (route !== "files/upload") return text(req, "content", route, 400, "Unknown API function");
    if (injected(req, "content", route)) return;
    if (authorised(req, "content", route) === false) return;
    const type = String(req.headers["content-type"] ?? "");
    if (type !== "application/octet-stream" && type !== "text/plain; charset=dropbox-cors-hack") {
      return text(
        req,
        "content",
        route,
        400,
        `Bad HTTP "Content-Type" header: "${type}". Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".`,
      );
    }
    const raw = String(req.headers["dropbox-api-arg"] ?? "");
    // Node hands header bytes over as latin1: anything outside ASCII was not escaped by the client.
    if (/[^\x20-\x7e]/.test(raw))
      return text(req, "content", route, 400, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
    let arg: Record<string, unknown>;
    try {
      arg = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return text(req, "content", route, 400, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
    }
    const unknown = Object.keys(arg).find((k) => !UPLOAD_ARG_FIELDS.has(k));
    if (unknown) return text(req, "content", route, 400, `HTTP header "Dropbox-API-Arg": unknown field '${unknown}'`);
    const path = String(arg.path ?? "");
    if (!path.startsWith("/"))
      return text(
        req,
        "content",
        route,
        400,
        `HTTP header "Dropbox-API-Arg": path: '${path}' did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)|(id:.*)'`,
      );
    const mode = arg.mode ?? "add";
    if (mode !== "add" && mode !== "overwrite")
      return text(
        req,
        "content",
        route,
        400,
        'HTTP header "Dropbox-API-Arg": mode: expected "add" or "overwrite" (the fake does not model update)',
      );
    const store = () => {
      const hash = contentHash(req.body);
      let target = path;
      const existing = files.get(target.toLowerCase());
      if (folders.has(target.toLowerCase()) || (existing && !existing.bytes.equals(req.body))) {
        if (mode === "add" && !arg.autorename) {
          return routeError(req, "content", route, 409, "path/conflict/file", {
            ".tag": "path",
            reason: { ".tag": "conflict", conflict: { ".tag": "file" } },
            upload_session_id: randomBytes(12).toString("base64url"),
          });
        }
        if (mode === "add") target = freeName(path, (p) => files.has(p.toLowerCase()) || folders.has(p.toLowerCase()));
      } else if (existing) {
        // Identical content: nothing is written, the file's metadata comes back.
        json(req, "content", route, 200, metadataOf(existing));
        calls[calls.length - 1] = { ...calls[calls.length - 1]!, path };
        return;
      }
      ensureParents(target);
      const file: StoredFile = {
        name: target.split("/").pop()!,
        pathDisplay: target,
        bytes: Buffer.from(req.body),
        rev: randomBytes(6).toString("hex"),
        id: `id:${randomBytes(12).toString("base64url")}`,
        contentHash: hash,
      };
      files.set(target.toLowerCase(), file);
      json(req, "content", route, 200, metadataOf(file));
      calls[calls.length - 1] = { ...calls[calls.length - 1]!, path };
    };
    if (!holding) return store();
    held.push(() => {
      // The client gave up (its process died): nothing is stored, as at Dropbox.
      if (req.res.destroyed || req.res.socket?.destroyed) return;
      store();
    });
  });

  const web = await startFakeServer((req) => {
    if (req.url.pathname !== "/oauth2/authorize") return void req.res.writeHead(404).end();
    const p = req.url.searchParams;
    if (p.get("client_id") !== appKey)
      return void req.res.writeHead(400, { "content-type": "text/html" }).end("<html>Invalid client_id</html>");
    const redirectUri = p.get("redirect_uri") ?? undefined;
    const code = issue({
      redirectUri,
      codeChallenge: p.get("code_challenge") ?? undefined,
      offline: p.get("token_access_type") === "offline",
    });
    if (!redirectUri)
      return void req.res
        .writeHead(200, { "content-type": "text/html" })
        .end(`<html>Your code: <code>${code}</code></html>`);
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    if (p.get("state")) back.searchParams.set("state", p.get("state")!);
    req.res.writeHead(302, { location: back.toString() }).end();
  });

  function issue(options: { redirectUri?: string; codeChallenge?: string; offline?: boolean }): string {
    const code = randomBytes(30).toString("base64url");
    codes.set(code, {
      redirectUri: options.redirectUri,
      codeChallenge: options.codeChallenge,
      offline: options.offline ?? true,
      used: false,
    });
    return code;
  }

  return {
    webUrl: web.url,
    apiUrl: api.url,
    contentUrl: content.url,
    appKey,
    appSecret,
    approve: issue,
    files,
    folders,
    calls,
    revoked,
    issued,
    fail(route, fault, count = 1) {
      faults.set(route, [...(faults.get(route) ?? []), ...Array.from({ length: count }, () => fault)]);
    },
    advance(ms) {
      clock += ms;
    },
    unlinkAll() {
      for (const family of refreshFamilies.values()) deadFamilies.add(family);
      for (const a of access.values()) deadFamilies.add(a.family);
    },
    holdUploads() {
      holding = true;
    },
    releaseUploads() {
      holding = false;
      const waiting = held;
      held = [];
      for (const answer of waiting) answer();
    },
    async close() {
      await Promise.all([api.close(), content.close(), web.close()]);
    },
  };
}

function metadataOf(f: StoredFile): Record<string, unknown> {
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  // FileMetadata without ".tag": the declared type is the subtype.
  return {
    name: f.name,
    path_lower: f.pathDisplay.toLowerCase(),
    path_display: f.pathDisplay,
    id: f.id,
    client_modified: at,
    server_modified: at,
    rev: f.rev,
    size: f.bytes.length,
    is_downloadable: true,
    content_hash: f.contentHash,
  };
}

/** "a/b.png" → "a/b (2).png", "(3)", … : the first free name, as Dropbox's autorename does. */
function freeName(path: string, taken: (p: string) => boolean): string {
  const dot = path.lastIndexOf(".");
  const slash = path.lastIndexOf("/");
  const [stem, ext] = dot > slash ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

/** Dropbox's content_hash: SHA-256 of the concatenated SHA-256s of each 4 MiB block. */
export function contentHash(bytes: Buffer): string {
  const blocks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 4 * 1024 * 1024)
    blocks.push(
      createHash("sha256")
        .update(bytes.subarray(i, i + 4 * 1024 * 1024))
        .digest(),
    );
  return createHash("sha256").update(Buffer.concat(blocks)).digest("hex");
}
