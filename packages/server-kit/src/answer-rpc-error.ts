import type * as http from "node:http";
import type * as http2 from "node:http2";
import type { ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, endStreamToJson, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface RpcErrorAnswerOptions {
  /** Extra response headers (e.g. Retry-After), sent on every protocol. */
  readonly headers?: Headers;
  /** HTTP status of a Connect unary error; default the code's own (connect's table). */
  readonly connectUnaryStatus?: number;
}

/**
 * Answers an RPC with `error` in the protocol it was sent in, without reading its body: gRPC and
 * gRPC-Web as a trailers-only response (HTTP 200, grpc-status in the headers), Connect streaming
 * as an end-stream message, Connect unary (and anything else) as its JSON error with the code's
 * HTTP status. For callers that must answer before connect-node would (an edge that refuses
 * before it spends, a path no route serves).
 */
export function answerRpcError(
  req: NodeRequest,
  res: NodeResponse,
  error: ConnectError,
  options: RpcErrorAnswerOptions = {},
): void {
  const contentType = String(req.headers["content-type"] ?? "")
    .toLowerCase()
    .split(";")[0]!
    .trim();
  const headers = new Headers(options.headers);
  let status = 200;
  let body: Uint8Array | undefined;
  if (contentType.startsWith("application/grpc")) {
    // gRPC and gRPC-Web (+proto, +json, -text) alike: status, message and details as headers.
    headers.set("content-type", contentType);
    setTrailerStatus(headers, error);
  } else if (contentType.startsWith("application/connect+")) {
    headers.set("content-type", contentType);
    body = endStreamMessage(error);
  } else {
    status = options.connectUnaryStatus ?? codeToHttpStatus(error.code);
    headers.set("content-type", "application/json");
    body = errorToJsonBytes(error, {});
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  if (body) res.setHeader("content-length", body.length);
  res.statusCode = status;
  if (body) res.end(body);
  else res.end();
}

// A Connect streaming response: one envelope with the end-stream flag (0x02) and JSON payload.
function endStreamMessage(error: ConnectError): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(endStreamToJson(new Headers(), error, {})));
  const envelope = new Uint8Array(5 + json.length);
  envelope[0] = 0x02;
  new DataView(envelope.buffer).setUint32(1, json.length);
  envelope.set(json, 5);
  return envelope;
}
