import type * as http from "node:http";
import type * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { answerRpcError } from "./answer-rpc-error.ts";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

// "/package.Service/Method": the path every RPC protocol (gRPC, gRPC-Web, Connect) uses.
const RPC_PATH = /^\/([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\/([A-Za-z_]\w*)$/;

/**
 * Whether a request nothing routed was meant as an RPC, so it is answered in its own protocol
 * rather than as plain HTTP: any gRPC, gRPC-Web or Connect streaming content type, a Connect
 * protocol header, or a POST of JSON or protobuf to an RPC-shaped path (a Connect unary call;
 * REST paths are never shaped like that).
 */
export function looksLikeRpc(req: NodeRequest, path: string): boolean {
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
  if (contentType.startsWith("application/grpc") || contentType.startsWith("application/connect+")) return true;
  if (!RPC_PATH.test(path)) return false;
  if (req.headers["connect-protocol-version"] !== undefined) return true;
  return req.method === "POST" && /^application\/(json|proto)\b/.test(contentType);
}

/**
 * Answers an unknown service or method as its protocol's UNIMPLEMENTED, with grpc-go's wording:
 * gRPC and gRPC-Web a trailers-only HTTP 200 + `grpc-status: 12`; Connect streaming an
 * end-stream error; Connect unary HTTP 404 + `{"code":"unimplemented"}` — 404 as connect-go's
 * and connect-es's own routers answer an unknown procedure (Connect clients read 404 as
 * unimplemented), with the JSON error so the reason is readable too. `knownServices` tells an
 * unknown method of a served service from an unknown service. The body is never read.
 */
export function answerUnknownRpc(
  req: NodeRequest,
  res: NodeResponse,
  path: string,
  knownServices: readonly string[],
): void {
  const [, service = "", method = ""] = RPC_PATH.exec(path) ?? [];
  const message = knownServices.includes(service)
    ? `unknown method ${method} for service ${service}`
    : `unknown service ${service || path}`;
  // 404 for Connect unary, as connect-go's and connect-es's routers answer an unknown procedure.
  answerRpcError(req, res, new ConnectError(message, Code.Unimplemented), { connectUnaryStatus: 404 });
}

/**
 * A connect-node `fallback` (what it calls for a path none of its routes serve): an RPC is
 * answered UNIMPLEMENTED in its protocol, anything else with connect-node's plain 404.
 */
export function unimplementedFallback(knownServices: readonly string[]) {
  return (req: NodeRequest, res: NodeResponse | { end(): void }): void => {
    const path = (req.url ?? "").split("?")[0]!;
    const response = res as NodeResponse;
    if (looksLikeRpc(req, path)) {
      answerUnknownRpc(req, response, path, knownServices);
      return;
    }
    response.statusCode = 404;
    response.end();
  };
}
