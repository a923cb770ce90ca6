import * as http from "node:http";
import { apiError, ErrorReason } from "@imagegen/errors";
import type { RouteHandler } from "../gateway-app.ts";
import { sendErrorEnvelope, type NodeRequest, type NodeResponse } from "../http/respond.ts";

/** OAuth requests are a form or a query string: nothing legitimate comes near this. */
export const OAUTH_MAX_BODY_BYTES = 64 * 1024;
/** How long the front may take to answer an OAuth request (each is a few store reads). */
const OAUTH_TIMEOUT_MS = 30_000;

/** The endpoints of the authorization server, which lives in the front (services/front/src/oauth). */
const OAUTH_PATHS = new Set([
  "/.well-known/oauth-authorization-server",
  "/oauth/authorize",
  "/oauth/token",
  "/oauth/revoke",
  "/oauth/introspect",
  "/oauth/jwks",
]);
/** The consent page and the authorization endpoint's resume step, each with an interaction id. */
const OAUTH_INTERACTION = /^\/oauth\/(consent|authorize)\/[A-Za-z0-9_-]{1,64}$/;

/** Whether `path` is one the authorization server answers; any other path stays the edge's 404. */
export function isOAuthPath(path: string): boolean {
  return OAUTH_PATHS.has(path) || OAUTH_INTERACTION.test(path);
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and HTTP/2 pseudo-headers are not forwarded.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
]);

/**
 * Forwards /oauth/* and the discovery document to the front's HTTP/1.1 listener. These are
 * HTTP (forms, redirects, cookies, HTML), not RPCs, so they cannot ride the RPC transport; the
 * edge keeps its rules for them: a body over OAUTH_MAX_BODY_BYTES is refused (413) before the
 * front sees it, and a front that does not answer in OAUTH_TIMEOUT_MS is a 504. The front's
 * answer (status, Location, Set-Cookie, body) goes back unchanged. Bodies and queries carry
 * codes, secrets and tokens: nothing here logs them (the access line names the path only).
 */
export function createOAuthProxy(frontUrls: readonly string[]): RouteHandler {
  let next = 0;
  return async (req, res, url) => {
    if (!isOAuthPath(url.pathname)) return false;
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > OAUTH_MAX_BODY_BYTES) {
      sendErrorEnvelope(
        req,
        res,
        apiError(ErrorReason.PAYLOAD_TOO_LARGE, `an OAuth request body is at most ${OAUTH_MAX_BODY_BYTES} bytes`),
      );
      return true;
    }
    // Read first (at most OAUTH_MAX_BODY_BYTES), then forward: an oversized body never reaches the front.
    const body = await readBounded(req);
    if (body === undefined) {
      sendErrorEnvelope(
        req,
        res,
        apiError(ErrorReason.PAYLOAD_TOO_LARGE, `an OAuth request body is at most ${OAUTH_MAX_BODY_BYTES} bytes`),
      );
      return true;
    }
    // Replicas share every OAuth artifact through the store: any of them can answer, and one that
    // refuses the connection (restarting) hands the request to the next, as the RPC transport does.
    const first = next++;
    for (let i = 0; i < frontUrls.length; i++) {
      const base = frontUrls[(first + i) % frontUrls.length]!;
      const last = i === frontUrls.length - 1;
      if (await forward(req, res, new URL(`${url.pathname}${url.search}`, base), body, last)) break;
    }
    return true;
  };
}

/** False when the front refused the connection and `last` is false (the caller tries the next one). */
async function forward(
  req: NodeRequest,
  res: NodeResponse,
  target: URL,
  body: Buffer,
  last: boolean,
): Promise<boolean> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith(":") && !HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  }
  const authority = ("authority" in req ? req.authority : undefined) ?? req.headers.host ?? "";
  headers["x-forwarded-host"] = String(req.headers["x-forwarded-host"] ?? authority);
  headers["x-forwarded-proto"] = String(req.headers["x-forwarded-proto"] ?? "http");
  if (body.length > 0 || req.method === "POST") headers["content-length"] = String(body.length);
  return new Promise<boolean>((resolve) => {
    const upstream = http.request(target, { method: req.method, headers, timeout: OAUTH_TIMEOUT_MS }, (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      }
      (res as http.ServerResponse).writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res as NodeJS.WritableStream);
      answer.once("end", () => resolve(true));
      answer.once("error", () => resolve(true));
    });
    upstream.once("timeout", () => upstream.destroy(new Error("timeout")));
    upstream.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" && !last) return resolve(false);
      const reason = error.message === "timeout" ? ErrorReason.TIMEOUT : ErrorReason.UNAVAILABLE;
      if (!res.headersSent)
        sendErrorEnvelope(req, res, apiError(reason, "the authorization server is not reachable; try again"));
      else res.end();
      resolve(true);
    });
    upstream.end(body);
  });
}

/** The request body, or undefined once it passes OAUTH_MAX_BODY_BYTES (the rest is not read). */
async function readBounded(req: NodeRequest): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > OAUTH_MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
