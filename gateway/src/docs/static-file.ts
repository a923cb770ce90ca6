import type { NodeRequest, NodeResponse } from "../http/respond.ts";

/** Sends an in-memory body with its type and length; HEAD gets the headers only. */
export function sendBody(
  req: NodeRequest,
  res: NodeResponse,
  contentType: string,
  body: string | Buffer,
  cacheControl = "no-cache",
): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.statusCode = 200;
  res.setHeader("content-type", contentType);
  res.setHeader("content-length", bytes.length);
  res.setHeader("cache-control", cacheControl);
  res.setHeader("x-content-type-options", "nosniff");
  if (req.method === "HEAD") res.end();
  else res.end(bytes);
}
