import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** One request a fake upstream received, fully read. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. "/v1/get_result?id=abc". */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON, or undefined. */
  readonly json: unknown;
}

/** A node:http server on 127.0.0.1 (random port) that records what it was sent. */
export interface FakeServer {
  /** e.g. "http://127.0.0.1:40123" (no trailing slash). */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Connections open to the fake right now (a client that leaks one keeps this above 0). */
  openConnections(): number;
  close(): Promise<void>;
}

/** Answers one recorded request; may be async and may leave the response open (slow bodies). */
export type FakeHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

/** Starts a fake upstream on a free loopback port. Loopback only: tests never touch the network. */
export async function createFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body,
      json: parseJson(body),
    };
    requests.push(recorded);
    try {
      await handler(recorded, res);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { detail: `fake failed: ${String(error)}` });
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes a JSON answer with `contentType` (e.g. "application/problem+json"). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = "application/json",
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Sends headers and the start of a JSON body, then a byte now and then, never finishing. */
export function sendSlowBody(response: ServerResponse, status = 200): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.write('{"id":');
  const timer = setInterval(() => response.write(" "), 100);
  response.once("close", () => clearInterval(timer));
}

/**
 * Promises a body (content-length), sends its first bytes, then drops the connection: what a
 * vendor's crashing worker or a cut proxy looks like from our side.
 */
export function sendCutOff(response: ServerResponse, status = 200): void {
  const partial = '{"created": 1700000000, "data": [{"b64_json": "iVBORw0KGgo';
  response.writeHead(status, { "content-type": "application/json", "content-length": partial.length * 10 });
  response.write(partial, () => response.socket?.destroy());
}

/** A 2xx whose body is not what the vendor documents (truncated JSON). */
export function sendMalformed(response: ServerResponse, status = 200): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end('{"id": "abc", "status": ');
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}
