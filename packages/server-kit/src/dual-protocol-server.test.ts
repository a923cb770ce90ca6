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
      const socket = connect(port, "127.0.0.1", () =>
        socket.write("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nabc"),
      );
      socket.on("data", (d) => (answer += d.toString()));
      socket.on("close", () => resolve());
      setTimeout(() => socket.destroy(), 5000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("cuts a client trickling its headers at the header deadline, not a check interval later", async () => {
    // Headers due in 1 s; the whole request in 60 s (the slowloris stays inside the latter).
    const slow = createDualProtocolServer((_req, res) => res.end("ok"), {
      headersTimeoutMs: 1_000,
      requestTimeoutMs: 60_000,
    });
    const slowPort = await slow.listen(0, "127.0.0.1");
    try {
      const { answer, closedAfterMs } = await new Promise<{ answer: string; closedAfterMs: number }>((resolve) => {
        const started = performance.now();
        let answer = "";
        const socket = connect(slowPort, "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nhost: x\r\n"));
        const trickle = setInterval(() => socket.write("x-slow: 1\r\n"), 100);
        socket.on("data", (d) => (answer += d.toString()));
        socket.on("error", () => undefined);
        socket.on(
          "close",
          () => (clearInterval(trickle), resolve({ answer, closedAfterMs: performance.now() - started })),
        );
        setTimeout(() => socket.destroy(), 10_000).unref();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      // Node checks every headersTimeout/10: the cut comes within the deadline plus one check.
      expect(closedAfterMs).toBeGreaterThanOrEqual(950);
      expect(closedAfterMs).toBeLessThan(2_500);
    } finally {
      await slow.close(100);
    }
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
