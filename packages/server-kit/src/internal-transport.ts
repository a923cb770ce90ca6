import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";

/**
 * The client transport of our internal hops (gateway → front, front → provider). By default gRPC
 * over h2c: one multiplexed connection carries every call, which is what thousands of long calls
 * in flight need — measured (bench `--only concurrency`, 4000 in flight): gRPC completed 4000 of
 * 4000 in every run, while Connect over HTTP/1.1 opened a connection per call and lost 1–60 of
 * 4000 to connection resets in the storm. For short calls at modest concurrency, Connect binary
 * over HTTP/1.1 keep-alive is the faster hop (≈ 1.8–2.2× the throughput, bench `--only floor`):
 * `IMAGEGEN_INTERNAL_PROTOCOL=connect` selects it. Every server accepts both.
 */
export function createInternalTransport(
  baseUrl: string,
  interceptors: Interceptor[],
  protocol: string = process.env.IMAGEGEN_INTERNAL_PROTOCOL ?? "grpc",
): Transport {
  if (protocol === "grpc") return createGrpcTransport({ baseUrl, interceptors });
  if (protocol !== "connect") throw new Error(`IMAGEGEN_INTERNAL_PROTOCOL must be "grpc" or "connect", not "${protocol}"`);
  return createConnectTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: true });
}
