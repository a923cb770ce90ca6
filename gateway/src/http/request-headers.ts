import type { NodeRequest } from "./respond.ts";

// One per request: the edge's admission and the request's handler both ask for them.
const built = new WeakMap<NodeRequest, Headers>();

/**
 * A client request's headers as fetch Headers (pseudo-headers of h2 dropped), built once per
 * request — after the edge has set its own x-request-id and x-forwarded-for on it, which is
 * before anything asks. Shared by every reader of the request: read-only.
 */
export function requestHeaders(req: NodeRequest): Headers {
  let headers = built.get(req);
  if (headers) return headers;
  headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  built.set(req, headers);
  return headers;
}
