import { connect } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDualProtocolServer, type DualProtocolServer } from "./dual-protocol-server.ts";
import { guardRpcHandler } from "./guard-rpc-handler.ts";
import { registerHealth } from "./health-service.ts";
import { createLogger } from "./logger.ts";

let server: DualProtocolServer;
let port: number;
beforeAll(async () => {
  const rpc = connectNodeAdapter({ routes: (router) => registerHealth(router, async () => true) });
  server = createDualProtocolServer(guardRpcHandler(rpc, createLogger("test")));
  port = await server.listen(0, "127.0.0.1");
});
afterAll(() => server?.close(1000));

/** Sends raw bytes and resolves with everything the server answered before closing. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(request));
    let text = "";
    socket.on("data", (d) => (text += d.toString()));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
    socket.setTimeout(5000, () => reject(new Error("no answer")));
  });
}

describe("guardRpcHandler", () => {
  it.each([
    [
      "an HTTP/1.0 call without Host",
      "POST /grpc.health.v1.Health/Check HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
    ],
    [
      "a Host that is no authority",
      "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nhost: [x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
    ],
  ])("answers %s with 400 and keeps serving", async (_, request) => {
    expect(await raw(request)).toMatch(/^HTTP\/1\.[01] 400 /);
    const res = await fetch(`http://127.0.0.1:${port}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(await res.json()).toEqual({ status: "SERVING" });
  });
});
