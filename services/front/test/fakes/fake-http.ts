import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as a fake's handler sees it: body read whole. */
export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
  /** The raw socket's response, for fakes that hold or drop a request. */
  readonly res: ServerResponse;
}

export interface FakeServer {
  readonly url: string;
  close(): Promise<void>;
}

/** An HTTP server on a loopback port whose handler gets whole bodies; a throw answers 500 text. */
export async function startFakeServer(handle: (req: FakeRequest) => Promise<void> | void): Promise<FakeServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request: FakeRequest = {
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", "http://fake"),
        headers: req.headers,
        body: Buffer.concat(chunks),
        res,
      };
      Promise.resolve(handle(request)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Form parameters from the query string and an urlencoded body (OAuth token endpoints read both). */
export function formParams(req: FakeRequest): URLSearchParams {
  const params = new URLSearchParams(req.url.search);
  const type = String(req.headers["content-type"] ?? "");
  if (req.body.length > 0 && type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(req.body.toString("utf8"))) params.set(k, v);
  }
  return params;
}

/** HTTP Basic credentials, if sent. */
export function basicAuth(req: FakeRequest): { user: string; password: string } | undefined {
  const header = String(req.headers.authorization ?? "");
  if (!header.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0
    ? undefined
    : { user: decodeURIComponent(decoded.slice(0, colon)), password: decodeURIComponent(decoded.slice(colon + 1)) };
}

export function bearerOf(req: FakeRequest): string | undefined {
  const header = String(req.headers.authorization ?? "");
  return header.startsWith("Bearer ") ? header.slice(7) : undefined;
}

/** A fault a test scripts for the next matching calls. */
export interface Fault {
  /** 429 (rate limit, with Retry-After), 500 / 503 (transient). */
  readonly status: 429 | 500 | 503;
  readonly retryAfterSeconds?: number;
  /** Dropbox only: a plain-text 429 body instead of JSON. */
  readonly plainText?: boolean;
}
