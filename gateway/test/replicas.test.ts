import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, startRedis, type TestServer } from "../../services/front/test/state-servers.ts";
import { configWithTiers, METERED_LOCAL, restClient } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Two complete replicas (gateway + front + provider each, own data dirs) sharing one
// PostgreSQL and one Redis: keys, rate limits, quotas and idempotency must be one between them.
let postgres: TestServer;
let redis: TestServer;
let replicas: RunningSystem[] = [];
let calls: Array<ReturnType<typeof restClient>> = [];
beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const env = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    IMAGEGEN_CONFIG: configWithTiers({ free: { per_minute: 1000, per_hour: 1000, per_day: 4 } }),
  };
  // One after the other: the first runs the schema migrations, the second finds them applied.
  replicas = [await startSystem(env), await startSystem(env)];
  calls = replicas.map(restClient);
}, 120_000);
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

async function createKey(request: Record<string, unknown>): Promise<string> {
  const res = await calls[0]!(replicas[0]!.adminKey, "POST", "/api/v2/admin/keys", request);
  expect(res.status, res.text).toBeLessThan(300);
  return res.json.secret;
}

const metered = { prompt: "a lighthouse", model: METERED_LOCAL, parameters: { width: 64, height: 64, seed: 5 } };

describe("two front replicas on PostgreSQL and Redis", () => {
  it("enforce one rate limit between them", async () => {
    const secret = await createKey({ owner: "shared-limit", tier: "free" });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await calls[i % 2]!(secret, "GET", "/api/v2/models")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it("enforce one quota between them", async () => {
    const secret = await createKey({ owner: "shared-quota", tier: "pro", monthly_credit_quota: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await calls[i % 2]!(secret, "POST", "/api/v2/generate/text-to-image", {
            ...metered,
            parameters: { ...metered.parameters, seed: i },
          })
        ).status,
      );
    expect(statuses).toEqual([200, 200, 402]);
  });

  it("see a key revoked on one replica refused on the other at once", async () => {
    const created = await calls[0]!(replicas[0]!.adminKey, "POST", "/api/v2/admin/keys", {
      owner: "shared-revoke",
      tier: "pro",
    });
    const secret = created.json.secret as string;
    expect((await calls[1]!(secret, "GET", "/api/v2/models")).status).toBe(200);
    await calls[0]!(replicas[0]!.adminKey, "POST", `/api/v2/admin/keys/${created.json.key.id}:revoke`, {});
    expect((await calls[1]!(secret, "GET", "/api/v2/models")).status).toBe(401);
  });

  it("replay an idempotent create sent to the other replica", async () => {
    const secret = await createKey({ owner: "shared-idem", tier: "pro" });
    const headers = { "idempotency-key": "across-replicas" };
    const body = { ...metered, use_cache: false };
    const first = await calls[0]!(secret, "POST", "/api/v2/generate/text-to-image", body, headers);
    const again = await calls[1]!(secret, "POST", "/api/v2/generate/text-to-image", body, headers);
    expect(again.json.id).toBe(first.json.id);
  });

  it("share one cache: a result made on one replica is a hit on the other", async () => {
    const secret = await createKey({ owner: "shared-cache", tier: "pro" });
    const body = { prompt: "shared cache", model: "local", parameters: { width: 64, height: 64, seed: 9 } };
    const first = await calls[0]!(secret, "POST", "/api/v2/generate/text-to-image", body);
    const again = await calls[1]!(secret, "POST", "/api/v2/generate/text-to-image", body);
    expect([again.json.id, again.json.cached]).toEqual([first.json.id, true]);
  });
});
