import { createServer, type Server, type Socket } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type TestServer } from "../../test/state-servers.ts";
import { openRedis, type RedisConnection } from "./redis-connection.ts";

let redis: TestServer;
let connection: RedisConnection;
beforeAll(async () => {
  redis = await startRedis();
  connection = openRedis(redis.url);
});
afterAll(async () => {
  connection?.close();
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command and reports how it ended and after how long. */
async function timed(run: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const at = Date.now();
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - at };
}

function expectUnavailable(error: unknown): void {
  expect(error).toBeInstanceOf(ConnectError);
  expect((error as ConnectError).code).toBe(Code.Unavailable);
  expect((error as ConnectError).rawMessage).toBe("the state store (Redis) is unavailable; retry shortly");
}

describe("a Redis connection", () => {
  it("fails commands as UNAVAILABLE while Redis restarts, and answers again once it is back", async () => {
    await connection.run((r) => r.set("k", "before"));
    // Down for longer than the command timeout, so the command below cannot outlast the outage.
    const restarted = redis.restart(3000);
    await sleep(300);
    const { error, ms } = await timed(() => connection.run((r) => r.get("k")));
    expectUnavailable(error);
    expect(ms).toBeLessThan(2500);
    await restarted;
    let value: unknown = "unanswered";
    for (let i = 0; i < 50 && value === "unanswered"; i++) {
      value = await connection.run((r) => r.get("k")).catch(() => "unanswered");
      if (value === "unanswered") await sleep(100);
    }
    // This test Redis keeps nothing across a restart; what matters is that it answers.
    expect(value).toBeNull();
  });

  it("bounds a command to a Redis that accepts connections but never answers", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const hung = openRedis(`redis://127.0.0.1:${(silent.address() as { port: number }).port}`);
    try {
      const { error, ms } = await timed(() => hung.run((r) => r.get("k")));
      expectUnavailable(error);
      expect(ms).toBeLessThan(3000);
    } finally {
      hung.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("keeps Redis's own refusals (our bugs) as they are", async () => {
    const error = await connection.run((r) => r.eval("return redis.call('NOSUCHCOMMAND')", 0)).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ConnectError);
    expect((error as Error).name).toBe("ReplyError");
  });
});
