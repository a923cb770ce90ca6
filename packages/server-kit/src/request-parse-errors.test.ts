import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFaultForUnparseableRequests } from "./request-parse-errors.ts";

// A Health service over HTTP/1.1 (Connect and gRPC-Web), with the gate: Check fails with an
// INTERNAL of its own, so the test can tell a re-coded request error from a handler's error.
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const handler = connectNodeAdapter({
    requestGate: clientFaultForUnparseableRequests,
    routes(router) {
      router.service(Health, {
        check() {
          throw new ConnectError("the handler broke", Code.Internal);
        },
        async *watch() {},
        list() {
          return { statuses: {} };
        },
      });
    },
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/grpc.health.v1.Health/Check`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function frame(payload: Uint8Array, flags = 0): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

async function call(contentType: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(baseUrl, { method: "POST", headers: { "content-type": contentType, ...headers }, body });
  const text = Buffer.from(await res.arrayBuffer()).toString("latin1");
  return { status: res.status, text };
}

describe("clientFaultForUnparseableRequests", () => {
  it.each([
    [
      "random bytes as a Connect binary message",
      "application/proto",
      Buffer.from([0xff, 0xff, 0xff]),
      {},
      /parse binary/,
    ],
    ["a truncated Connect binary message", "application/proto", Buffer.from([0x0a, 0x05, 0x61]), {}, /parse binary/],
    [
      "a truncated gzip body",
      "application/proto",
      Buffer.from([0x1f, 0x8b, 0x08]),
      { "content-encoding": "gzip" },
      /decompression failed/,
    ],
  ])("answers %s with invalid_argument (400), not internal", async (_name, type, body, headers, message) => {
    const res = await call(type, body, headers);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: "invalid_argument", message: expect.stringMatching(message) });
  });

  it.each([
    ["random bytes in a frame", frame(Buffer.from([0xff, 0xff, 0xff]))],
    ["a compressed frame without an encoding", frame(Buffer.from([0x0a, 0x00]), 1)],
  ])("answers gRPC-Web %s with grpc-status 3, not 13", async (_name, body) => {
    const res = await call("application/grpc-web+proto", body);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/grpc-status: ?3\r\n/);
  });

  it("leaves a handler's own INTERNAL alone", async () => {
    const res = await call("application/json", Buffer.from("{}"));
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toMatchObject({ code: "internal", message: "the handler broke" });
  });
});
