import { ConnectError } from "@connectrpc/connect";
import { answerRpcError } from "@imagegen/server-kit";
import type { NodeRequest, NodeResponse } from "../http/respond.ts";
import { isExposedHeader } from "./forwarded-headers.ts";

/**
 * Answers an RPC the edge refuses before it spends (a wrong key, no room for its body) in the
 * protocol it was sent in, without reading its body. The error's client-visible metadata
 * (Retry-After, rate-limit headers) goes along; nothing else of it does.
 */
export function rejectRpc(req: NodeRequest, res: NodeResponse, error: unknown): void {
  // What the client still sends is discarded, never buffered (HTTP/2 flow control bounds it too),
  // so an HTTP/1.1 client finishes its upload and reads this answer.
  req.resume();
  const connectError = ConnectError.from(error);
  const headers = new Headers();
  connectError.metadata.forEach((value, name) => {
    if (isExposedHeader(name)) headers.set(name, value);
  });
  answerRpcError(req, res, connectError, { headers });
}
