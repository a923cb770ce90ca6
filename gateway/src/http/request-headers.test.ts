import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { requestHeaders } from "./request-headers.ts";

const request = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;

describe("a request's headers", () => {
  it("drop h2 pseudo-headers, join repeated ones, and are built once per request", () => {
    const req = request({ ":path": "/x", authorization: "Bearer k", "x-tag": ["a", "b"] });
    const headers = requestHeaders(req);
    expect([...headers]).toEqual([
      ["authorization", "Bearer k"],
      ["x-tag", "a, b"],
    ]);
    expect(requestHeaders(req)).toBe(headers);
    expect(requestHeaders(request({ authorization: "Bearer k" }))).not.toBe(headers);
  });
});
