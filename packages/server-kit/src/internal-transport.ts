import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";

/**
 * The client transport of our internal hops (gateway → front, front → provider). By default the
 * Connect protocol with binary Protobuf over HTTP/1.1 keep-alive connections: measured on this
 * codebase it costs a fraction of gRPC over h2c per call (bench `--only floor`), because Node
 * serves HTTP/1.1 straight from the socket while our h2c listener must sniff the preface through
 * a JavaScript stream. `IMAGEGEN_INTERNAL_PROTOCOL=grpc` switches the hops to gRPC over h2c, for
 * a proxy between the services that only speaks gRPC (both ends serve both protocols).
 */
export function createInternalTransport(
  baseUrl: string,
  interceptors: Interceptor[],
  protocol: string = process.env.IMAGEGEN_INTERNAL_PROTOCOL ?? "connect",
): Transport {
  if (protocol === "grpc") return createGrpcTransport({ baseUrl, interceptors });
  if (protocol !== "connect") throw new Error(`IMAGEGEN_INTERNAL_PROTOCOL must be "connect" or "grpc", not "${protocol}"`);
  return createConnectTransport({ baseUrl, interceptors, httpVersion: "1.1", useBinaryFormat: true });
}
