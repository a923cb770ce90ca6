import * as http2 from "node:http2";
import { connect, type Socket } from "node:net";
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

  it("serves HTTP/2 with prior knowledge, the sniffed preface handed back to the session", async () => {
    expect(await h2Get()).toBe("ok");
  });

  it("serves HTTP/2 when the preface arrives a few bytes at a time", async () => {
    expect(await h2Get({ trickleFirstWrite: true })).toBe("ok");
  });
});

// One HTTP/2 request; with trickleFirstWrite the client's first write (the preface and its
// SETTINGS) reaches the server in 5-byte pieces, so sniffing sees several partial chunks.
async function h2Get(options: { trickleFirstWrite?: boolean } = {}): Promise<string> {
  const session = http2.connect(`http://127.0.0.1:${port}`, {
    createConnection: () => {
      const socket = connect(port, "127.0.0.1");
      socket.setNoDelay(true);
      if (options.trickleFirstWrite) trickleFirstWrite(socket);
      return socket;
    },
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      session.once("error", reject);
      const stream = session.request({ ":path": "/", ":method": "GET" });
      let body = "";
      stream.on("data", (d: Buffer) => (body += d.toString()));
      stream.once("end", () => resolve(body));
      stream.once("error", reject);
    });
  } finally {
    session.close();
  }
}

function trickleFirstWrite(socket: Socket): void {
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
  // Every write waits for the ones before it, so the trickled pieces keep their order.
  let queue = Promise.resolve();
  let first = true;
  socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
    const pieces: Buffer[] = [];
    const step = first ? 5 : chunk.length;
    first = false;
    for (let i = 0; i < chunk.length; i += step) pieces.push(chunk.subarray(i, i + step));
    for (const piece of pieces) queue = queue.then(() => new Promise((r) => setTimeout(() => (write(piece), r()), 2)));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    void queue.then(() => callback?.());
    return true;
  }) as Socket["write"];
}
