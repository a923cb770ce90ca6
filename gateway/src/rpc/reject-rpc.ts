import { ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes, endStreamToJson } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { isExposedHeader } from "./forwarded-headers.ts";

/**
 * Answers an RPC with `error` in the protocol it was sent in, without reading its body (the
 * edge refuses before it spends): gRPC and gRPC-Web as a trailers-only response (HTTP 200,
 * grpc-status in the headers), Connect streaming as an end-stream message, Connect unary as
 * its JSON error with the code's HTTP status. The error's client-visible metadata (Retry-After,
 * rate-limit headers) goes along; nothing else of it does.
 */
export function rejectRpc(req: NodeRequest, res: NodeResponse, error: unknown): void {
  // What the client still sends is discarded, never buffered (HTTP/2 flow control bounds it too),
  // so an HTTP/1.1 client finishes its upload and reads this answer.
  req.resume();
  const connectError = ConnectError.from(error);
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
  const headers = new Headers();
  connectError.metadata.forEach((value, name) => {
    if (isExposedHeader(name)) headers.set(name, value);
  });
  let status = 200;
  let body: Uint8Array | undefined;
  if (contentType.startsWith("application/grpc")) {
    // gRPC and gRPC-Web (+proto, +json, -text) alike: status, message and details as headers.
    headers.set("content-type", contentType.split(";")[0]!);
    setTrailerStatus(headers, connectError);
  } else if (contentType.startsWith("application/connect+")) {
    headers.set("content-type", contentType.split(";")[0]!);
    body = endStreamMessage(connectError);
  } else {
    status = codeToHttpStatus(connectError.code);
    headers.set("content-type", "application/json");
    body = errorToJsonBytes(connectError, {});
  }
  if (!res.headersSent) {
    headers.forEach((value, name) => res.setHeader(name, value));
    if (body) res.setHeader("content-length", body.length);
    res.statusCode = status;
  }
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

