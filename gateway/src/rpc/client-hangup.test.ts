import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { hangUpSignal } from "./client-hangup.ts";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

// Serves one request: `answer` decides whether the response is sent; resolves with the signal once the response closed.
async function serveOne(answer: boolean): Promise<{ signal: Promise<AbortSignal>; port: number }> {
  let closed!: (signal: AbortSignal) => void;
  const signal = new Promise<AbortSignal>((resolve) => (closed = resolve));
  server = createServer((_req, res) => {
    const s = hangUpSignal(res);
    res.once("close", () => setImmediate(() => closed(s)));
    if (answer) res.end("ok");
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { signal, port: (server.address() as AddressInfo).port };
}

describe("hangUpSignal", () => {
  it("aborts when the client hangs up before its answer was sent", async () => {
    const { signal, port } = await serveOne(false);
    const req = request({ port, host: "127.0.0.1" });
    req.on("error", () => undefined);
    req.end();
    setTimeout(() => req.destroy(), 50);
    expect((await signal).aborted).toBe(true);
  });

  it("stays quiet when the response finished (its close is no hang-up)", async () => {
    const { signal, port } = await serveOne(true);
    await new Promise<void>((resolve, reject) =>
      request({ port, host: "127.0.0.1" }, (res) => res.resume().on("end", resolve))
        .on("error", reject)
        .end(),
    );
    expect((await signal).aborted).toBe(false);
  });
});
