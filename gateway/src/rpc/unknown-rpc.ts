import { Code, ConnectError } from "@connectrpc/connect";
import { errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { rejectRpc } from "./reject-rpc.ts";

// "/package.Service/Method": the path every RPC protocol (gRPC, gRPC-Web, Connect) uses.
const RPC_PATH = /^\/([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\/([A-Za-z_]\w*)$/;

/**
 * Whether a request the edge has no route for was meant as an RPC, so it is answered in its
 * own protocol rather than with the REST envelope: any gRPC, gRPC-Web or Connect streaming
 * content type, a Connect protocol header, or a POST of JSON or protobuf to an RPC-shaped path
 * (a Connect unary call; REST paths are never shaped like that).
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
 * gRPC and gRPC-Web HTTP 200 + `grpc-status: 12`, Connect streaming an end-stream error, Connect
 * unary HTTP 404 + `{"code":"unimplemented"}` — 404 as connect-go's and connect-es's own routers
 * answer an unknown procedure (Connect clients read 404 as unimplemented), with the JSON error
 * so the reason is readable too. `knownServices` tells an unknown method of a served service
 * from an unknown service.
 */
export function answerUnknownRpc(req: NodeRequest, res: NodeResponse, path: string, knownServices: readonly string[]): void {
  const [, service = "", method = ""] = RPC_PATH.exec(path) ?? [];
  const message = knownServices.includes(service)
    ? `unknown method ${method} for service ${service}`
    : `unknown service ${service || path}`;
  const error = new ConnectError(message, Code.Unimplemented);
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
  if (contentType.startsWith("application/grpc") || contentType.startsWith("application/connect+")) {
    rejectRpc(req, res, error);
    return;
  }
  const body = errorToJsonBytes(error, {});
  res.statusCode = 404;
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", body.length);
  res.end(body);
}
