import { createServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./free-port.ts";

describe("free ports for the processes a test starts", () => {
  const held: Server[] = [];
  afterAll(() => Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve)))));

  it("are never handed out twice, never taken, and never from the kernel's ephemeral range", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) {
      const port = await freePort();
      // Each is really free: bound here and kept, so a later hand-out of it would fail below.
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      held.push(server);
      ports.push(port);
    }
    expect(new Set(ports).size).toBe(ports.length);
    expect(Math.max(...ports)).toBeLessThan(32_768);
  });
});
