import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDualProtocolServer, type DualProtocolServer } from "./dual-protocol-server.ts";

let server: DualProtocolServer;
let port: number;
beforeAll(async () => {
  server = createDualProtocolServer(
    (req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    },
    { firstBytesTimeoutMs: 300, requestTimeoutMs: 300 },
  );
  port = await server.listen(0, "127.0.0.1");
});
afterAll(() => server?.close(1000));

/** Opens a connection, optionally writes `bytes`, and resolves with how long until the server closed it. */
function closedAfter(bytes?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, "127.0.0.1", () => bytes && socket.write(bytes));
    socket.on("close", () => resolve(performance.now() - started));
    socket.on("error", () => undefined);
    setTimeout(() => (socket.destroy(), reject(new Error("the server never closed it"))), 5000).unref();
  });
}

describe("dual-protocol server", () => {
  it("closes a connection that never says which protocol it speaks", async () => {
    expect(await closedAfter()).toBeLessThan(3000);
  });

  it("closes one that stops inside the HTTP/2 preface", async () => {
    expect(await closedAfter("PRI * HTTP/2.0\r\n")).toBeLessThan(3000);
  });

  it("answers 408 and closes when a request body stalls", async () => {
    let answer = "";
    await new Promise<void>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => socket.write("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nabc"));
      socket.on("data", (d) => (answer += d.toString()));
      socket.on("close", () => resolve());
      setTimeout(() => socket.destroy(), 5000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("serves HTTP/1.1 once the first bytes arrive", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe("ok");
  });
});
