import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { INTERNAL_HTTP2_SETTINGS } from "./internal-transport.ts";

/** A request handler that works for both HTTP/1.1 and HTTP/2 requests (connect-node's shape). */
export type UniversalRequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface DualProtocolServerOptions {
  /** Bound on how long a client may take to send its request headers. */
  readonly headersTimeoutMs?: number;
  /** Closes idle keep-alive connections after this long. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Bound on receiving a whole HTTP/1.1 request, body included (408 after it; default 5 min, room
   * for a 48 MiB upload over a slow link). It ends when the request is in: answers may stream
   * for as long as they like.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Closes a connection that has not sent enough bytes to tell HTTP/1.1 from HTTP/2 after this
   * long (default 10 s): an idle socket must not hold a slot forever before any timeout of the
   * HTTP servers applies.
   */
  readonly firstBytesTimeoutMs?: number;
}

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * One TCP port that speaks HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge, as gRPC
 * clients use it). Node's http2.createServer without TLS refuses HTTP/1.1, so the first bytes
 * of each connection are sniffed for the HTTP/2 preface and the socket is handed to the
 * matching server.
 */
export function createDualProtocolServer(
  handler: UniversalRequestHandler,
  options: DualProtocolServerOptions = {},
): DualProtocolServer {
  // A client trickling its headers or body (slowloris) is cut off with 408; Node stops this clock
  // once the request is complete, so long answers (SSE, server streams) are not affected. Node
  // enforces both bounds only when it checks its connections (every 30 s by default, which let a
  // 30 s header deadline run to 60 s), so it checks often enough to keep each bound within a
  // tenth of itself, and at most 1 s late.
  const requestTimeout = options.requestTimeoutMs ?? 300_000;
  // Node requires headers to be due no later than the whole request.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 30_000, requestTimeout);
  const h1 = http.createServer(
    {
      headersTimeout,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      requestTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, headersTimeout / 10)),
    },
    handler,
  );
  const h2 = http2.createServer(
    {
      maxSessionMemory: INTERNAL_HTTP2_SETTINGS.maxSessionMemory,
      settings: { initialWindowSize: INTERNAL_HTTP2_SETTINGS.initialWindowSize },
    },
    handler,
  );
  h2.on("session", (session) => session.setLocalWindowSize(INTERNAL_HTTP2_SETTINGS.connectionWindowSize));
  const sockets = new Set<net.Socket>();
  // noDelay: RPC messages are small writes; Nagle plus delayed ACKs would add ~40 ms to each.
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    sniff(socket, options.firstBytesTimeoutMs ?? 10_000, (isH2, head) => {
      if (!isH2) {
        socket.unshift(head);
        h1.emit("connection", socket);
        socket.resume();
        return;
      }
      // Node's http2 (24 here) first feeds a session whatever the socket has already buffered,
      // so the sniffed bytes go back into the socket rather than through a JS stream in front of
      // it (that stream cost every internal gRPC hop a copy and an extra tick per chunk).
      socket.unshift(head);
      h2.emit("connection", socket);
    });
  });
  return new DualProtocolServer(tcp, h1, h2, sockets);
}

// Reads just enough bytes to tell the protocols apart and hands them on.
function sniff(socket: net.Socket, timeoutMs: number, decide: (isH2: boolean, head: Buffer) => void): void {
  let seen = Buffer.alloc(0);
  const silent = setTimeout(() => socket.destroy(), timeoutMs);
  silent.unref();
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, H2_PREFACE.length);
    const isPrefix = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isPrefix && seen.length < H2_PREFACE.length) return; // need more bytes to be sure
    clearTimeout(silent);
    socket.off("data", onData);
    socket.pause();
    decide(isPrefix, seen);
  };
  socket.once("close", () => clearTimeout(silent));
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
}

/** The running server: listen, address, and a bounded graceful close. */
export class DualProtocolServer {
  readonly tcp: net.Server;
  readonly http1: http.Server;
  readonly http2: http2.Http2Server;
  private readonly sockets: Set<net.Socket>;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(tcp: net.Server, h1: http.Server, h2: http2.Http2Server, sockets: Set<net.Socket>) {
    this.tcp = tcp;
    this.http1 = h1;
    this.http2 = h2;
    this.sockets = sockets;
    h2.on("session", (session) => {
      this.sessions.add(session);
      session.once("close", () => this.sessions.delete(session));
    });
  }

  /** Listens on host:port (port 0 picks a free one) and resolves with the bound port. */
  listen(port: number, host = "0.0.0.0"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.tcp.once("error", reject);
      this.tcp.listen(port, host, () => {
        this.tcp.off("error", reject);
        // The HTTP/1.1 server never listens itself (it is handed sniffed sockets), and Node starts
        // the timer that enforces headersTimeout and requestTimeout on its 'listening' event.
        this.http1.emit("listening");
        resolve((this.tcp.address() as net.AddressInfo).port);
      });
    });
  }

  /** The bound port. */
  get port(): number {
    return (this.tcp.address() as net.AddressInfo).port;
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then
   * destroys what is left, so shutdown is always bounded.
   */
  async close(graceMs = 10_000): Promise<void> {
    // net.Server's close callback fires once every accepted socket has ended.
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    this.http1.close();
    this.http1.closeIdleConnections();
    // GOAWAY: HTTP/2 sessions finish their open streams and accept no new ones.
    for (const session of this.sessions) session.close();
    const timer = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
  }
}
