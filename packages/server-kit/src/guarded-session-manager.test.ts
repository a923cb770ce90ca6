import { createServer, type Server } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GuardedHttp2SessionManager } from "./guarded-session-manager.ts";

// A peer that accepts connections and never answers: a frozen process (SIGSTOP).
let silent: Server;
let baseUrl: string;
beforeAll(async () => {
  silent = createServer((socket) => socket.on("data", () => undefined));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

describe("GuardedHttp2SessionManager", () => {
  it("lets calls to a frozen peer fail UNAVAILABLE on PING timeouts without an uncaught error", async () => {
    // With connect-node's own manager this loop ends the process ("PING timed out" emitted on a
    // session nobody listens to any more) within a few seconds.
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", record);
    try {
      const sessionManager = new GuardedHttp2SessionManager(baseUrl, { pingIntervalMs: 100, pingTimeoutMs: 100 });
      const client = createClient(
        Health,
        createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, sessionManager }),
      );
      const codes = new Set<Code>();
      for (const started = Date.now(); Date.now() - started < 4_000; ) {
        const calls = Array.from({ length: 5 }, () =>
          client.check({ service: "" }, { timeoutMs: 2_000 }).catch((e: unknown) => ConnectError.from(e).code),
        );
        await new Promise((r) => setTimeout(r, Math.random() * 250));
        for (const code of await Promise.all(calls)) codes.add(code as Code);
      }
      expect(uncaught).toEqual([]);
      expect(codes.has(Code.Unavailable)).toBe(true);
    } finally {
      process.off("uncaughtException", record);
    }
  }, 20_000);
});
