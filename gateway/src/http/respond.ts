import type * as http from "node:http";
import type * as http2 from "node:http2";
import { describeError } from "@imagegen/errors";
import { renderErrorEnvelope } from "../rest/error-envelope.ts";

export type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Writes a JSON body with its length; HEAD requests get the headers only. */
export function sendJson(req: NodeRequest, res: NodeResponse, status: number, body: unknown, headers?: Headers): void {
  const bytes = Buffer.from(JSON.stringify(body));
  headers?.forEach((value, name) => {
    res.setHeader(name, value);
  });
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", bytes.length);
  res.statusCode = status;
  if (req.method === "HEAD") res.end();
  else res.end(bytes);
}

/** Renders any error as the seed-004 envelope with its table status and Retry-After. */
export function sendErrorEnvelope(req: NodeRequest, res: NodeResponse, error: unknown, headers?: Headers): void {
  const described = describeError(error);
  const out = new Headers(headers);
  if (described.retryAfterSeconds !== undefined) out.set("retry-after", String(described.retryAfterSeconds));
  const requestId = String(req.headers["x-request-id"] ?? "");
  sendJson(req, res, described.row.httpStatus, renderErrorEnvelope(described, requestId), out);
}
