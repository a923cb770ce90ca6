import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { GuardedHttp2SessionManager } from "./guarded-session-manager.ts";

/**
 * HTTP/2 settings of every internal link, client and server side alike. One connection carries
 * every call between two processes, so it is sized for the largest body the edge admits beside
 * everything else in flight: nghttp2's default session memory (10 MB) made a single 30 MB upload
 * refuse every other stream on the link (ENHANCE_YOUR_CALM). Memory is bounded where bodies are
 * admitted (the gateway's body budget), not by this credit limit. Wider flow-control windows let a
 * large body move in fewer round trips while small calls keep flowing beside it.
 */
export const INTERNAL_HTTP2_SETTINGS = {
  /** Megabytes nghttp2 may hold for one session before it refuses new streams. */
  maxSessionMemory: 1024,
  /** Per-stream flow-control window (bytes). */
  initialWindowSize: 4 * 1024 * 1024,
  /** Connection-wide window a server grants each session (bytes). */
  connectionWindowSize: 32 * 1024 * 1024,
} as const;

/**
 * How a frozen peer is noticed: a connection with calls in flight that has received nothing for
 * `intervalMs` is PINGed, and closed when the PING goes unanswered for `timeoutMs` — its calls
 * then fail UNAVAILABLE. A peer that stops (SIGSTOP, a wedged event loop) is therefore detected
 * within intervalMs + timeoutMs (10 s), however long the calls' own deadlines are.
 */
export const INTERNAL_PING = { intervalMs: 5_000, timeoutMs: 5_000 } as const;

// One HTTP/2 connection (session manager) per transport, with the pings and sizes above.
const http2Options = (baseUrl: string) => ({
  sessionManager: new GuardedHttp2SessionManager(
    baseUrl,
    { pingIntervalMs: INTERNAL_PING.intervalMs, pingTimeoutMs: INTERNAL_PING.timeoutMs },
    {
      maxSessionMemory: INTERNAL_HTTP2_SETTINGS.maxSessionMemory,
      settings: { initialWindowSize: INTERNAL_HTTP2_SETTINGS.initialWindowSize },
    },
  ),
});

/** The values of IMAGEGEN_INTERNAL_PROTOCOL. */
export const INTERNAL_PROTOCOLS = ["connect", "grpc", "connect-http1"] as const;
export type InternalProtocol = (typeof INTERNAL_PROTOCOLS)[number];

/**
 * The client transport of our internal hops (gateway → front, front → provider). Every server
 * accepts all three; the choice is measured (bench `--only floor` and `--only concurrency`):
 * - `connect` (default): Connect binary over h2c. One multiplexed connection carries every call,
 *   which is what thousands of long calls in flight need, and a unary call is a plain HTTP/2
 *   request and response — ≈ 2× the calls per second of gRPC over the same connection, whose
 *   envelope and trailers connect-node handles at a cost.
 * - `grpc`: gRPC over h2c (what partners speak; kept for proxies that route on it).
 * - `connect-http1`: Connect binary over HTTP/1.1 keep-alive, as fast per call as `connect` but a
 *   connection per call in flight: at 4000 long calls in flight it lost 1–60 to connection
 *   storms, where the h2c protocols lost none.
 */
export function createInternalTransport(
  baseUrl: string,
  interceptors: Interceptor[],
  protocol: string = process.env.IMAGEGEN_INTERNAL_PROTOCOL ?? "connect",
): Transport {
  switch (protocol as InternalProtocol) {
    case "connect":
      return createConnectTransport({
        baseUrl,
        interceptors,
        httpVersion: "2",
        useBinaryFormat: true,
        ...http2Options(baseUrl),
      });
    case "grpc":
      return createGrpcTransport({ baseUrl, interceptors, ...http2Options(baseUrl) });
    case "connect-http1":
      return createConnectTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: true });
    default:
      throw new Error(`IMAGEGEN_INTERNAL_PROTOCOL must be one of ${INTERNAL_PROTOCOLS.join(", ")}, not "${protocol}"`);
  }
}
