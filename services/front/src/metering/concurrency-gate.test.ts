import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type TestServer } from "../../test/state-servers.ts";
import { createMemoryConcurrencyGate, type ConcurrencyGate } from "./concurrency-gate.ts";
import { createRedisConcurrencyGate } from "./redis-concurrency-gate.ts";

let redis: TestServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

async function refusal(gate: ConcurrencyGate, subject: string, max: number): Promise<unknown> {
  return gate.acquire(subject, max).then(
    () => undefined,
    (error: unknown) => error,
  );
}

// Two gates over one backend stand for two replicas (the in-process gate is one replica's own).
const backends: Array<[string, () => [ConcurrencyGate, ConcurrencyGate]]> = [
  [
    "memory",
    () => {
      const gate = createMemoryConcurrencyGate();
      return [gate, gate];
    },
  ],
  ["redis", () => [createRedisConcurrencyGate(redis.url), createRedisConcurrencyGate(redis.url)]],
];

describe.each(backends)("concurrency gate (%s)", (name, open) => {
  it("admits up to the cap per key across both, refuses the next with RATE_LIMITED naming the limit, and reopens on release", async () => {
    const [a, b] = open();
    const key = `key:${name}:${Math.random()}`;
    const first = await a.acquire(key, 2);
    await b.acquire(key, 2);
    const refused = await refusal(b, key, 2);
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).message).toContain("at most 2 generations");
    await expect(a.acquire(`${key}:other`, 2)).resolves.toBeTypeOf("function");
    first();
    first(); // a second release of the same slot is a no-op
    // Release reaches Redis without being awaited by the caller: give it a moment.
    await new Promise((r) => setTimeout(r, 50));
    await expect(b.acquire(key, 2)).resolves.toBeTypeOf("function");
    expect(await refusal(a, key, 2)).toBeInstanceOf(ConnectError);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("redis concurrency slots are leases", () => {
  it("keeps a running generation's slot while its replica renews it, and frees a dead replica's after the lease", async () => {
    const key = `key:lease:${Math.random()}`;
    const alive = createRedisConcurrencyGate(redis.url, undefined, 600);
    const dead = createRedisConcurrencyGate(redis.url, undefined, 600);
    const other = createRedisConcurrencyGate(redis.url, undefined, 600);
    await alive.acquire(key, 2);
    await dead.acquire(key, 2);
    // The "dead" replica stops renewing (its process is gone), the alive one keeps on.
    await dead.close();
    expect(await refusal(other, key, 2)).toBeInstanceOf(ConnectError);
    await new Promise((r) => setTimeout(r, 1_000));
    // Past the lease: the dead replica's slot is free, the renewed one is still held.
    await expect(other.acquire(key, 2)).resolves.toBeTypeOf("function");
    expect(await refusal(other, key, 2)).toBeInstanceOf(ConnectError);
    await Promise.all([alive.close(), other.close()]);
  });

  it("fails closed as UNAVAILABLE when Redis cannot be reached", async () => {
    const gate = createRedisConcurrencyGate("redis://127.0.0.1:1");
    const error = await refusal(gate, "key:x", 1);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(14);
    await gate.close();
  });
});
