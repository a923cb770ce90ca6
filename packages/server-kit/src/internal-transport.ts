import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";

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
      return createConnectTransport({ baseUrl, interceptors, httpVersion: "2", useBinaryFormat: true });
    case "grpc":
      return createGrpcTransport({ baseUrl, interceptors });
    case "connect-http1":
      return createConnectTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: true });
    default:
      throw new Error(`IMAGEGEN_INTERNAL_PROTOCOL must be one of ${INTERNAL_PROTOCOLS.join(", ")}, not "${protocol}"`);
  }
}
