import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configWithTiers, METERED_LOCAL, restClient, ROOT } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
let call: ReturnType<typeof restClient>;
beforeAll(async () => {
  // Free: 4 requests a day (other windows wide open, so no test depends on the clock).
  system = await startSystem({
    IMAGEGEN_CONFIG: configWithTiers({ free: { per_minute: 1000, per_hour: 1000, per_day: 4 } }),
  });
  call = restClient(system);
});
afterAll(() => system?.stop());

async function createKey(request: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await call(system.adminKey, "POST", "/api/v2/admin/keys", { tier: "pro", ...request });
  expect(res.status, res.text).toBeLessThan(300);
  return { id: res.json.key.id, secret: res.json.secret };
}

const local = (extra: Record<string, unknown> = {}) => ({
  prompt: "a lighthouse",
  model: "local",
  parameters: { width: 64, height: 64, seed: 7 },
  ...extra,
});

describe("API keys", () => {
  it("lives through create, use (Bearer and X-API-Key), list without secrets, and revoke effective at once", async () => {
    const { id, secret } = await createKey({ owner: "lifecycle", name: "ci" });
    expect(secret.startsWith(`${id}.`)).toBe(true);
    expect((await call(secret, "GET", "/api/v2/models")).status).toBe(200);
    const viaHeader = await fetch(`${system.baseUrl}/api/v2/models`, { headers: { "x-api-key": secret } });
    expect(viaHeader.status).toBe(200);

    const listed = await call(system.adminKey, "GET", "/api/v2/admin/keys?owner=lifecycle");
    expect(listed.json.keys).toEqual([
      expect.objectContaining({ id, owner: "lifecycle", name: "ci", tier: "pro", admin: false }),
    ]);
    expect(listed.text).not.toContain(secret.split(".")[1]);

    const revoked = await call(system.adminKey, "POST", `/api/v2/admin/keys/${id}:revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).toBeTruthy();
    const after = await call(secret, "GET", "/api/v2/models");
    expect([after.status, after.json.error.code]).toEqual([401, "UNAUTHORIZED"]);
    expect(after.text).not.toContain(secret);
  });

  it("keeps the admin RPCs to admin keys", async () => {
    const { secret } = await createKey({ owner: "not-admin" });
    const res = await call(secret, "GET", "/api/v2/admin/keys");
    expect([res.status, res.json.error.code]).toEqual([403, "FORBIDDEN"]);
  });

  it("refuses a model outside the key's scope with FORBIDDEN", async () => {
    const { secret } = await createKey({ owner: "scoped", allowed_models: ["local"] });
    expect((await call(secret, "POST", "/api/v2/generate/text-to-image", local())).status).toBe(200);
    const res = await call(secret, "POST", "/api/v2/generate/text-to-image", local({ model: "stable-diffusion-xl" }));
    expect([res.status, res.json.error.code]).toEqual([403, "FORBIDDEN"]);
  });

  it("is managed by the operator CLI on the same store", async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "services/front/src/cli/keys.ts", ...args], {
        cwd: ROOT,
        env: { ...process.env, IMAGEGEN_DATA_DIR: system.dataDir },
      });
    const created = JSON.parse((await cli("create", "--owner", "from-cli", "--tier", "basic")).stdout) as {
      id: string;
      secret: string;
    };
    expect((await call(created.secret, "GET", "/api/v2/models")).status).toBe(200);
    const listed = (await cli("list", "--owner", "from-cli")).stdout;
    expect(listed).toContain(created.id);
    expect(listed).not.toContain(created.secret);
    await cli("revoke", created.id);
    expect((await call(created.secret, "GET", "/api/v2/models")).status).toBe(401);
  });
});

describe("ownership", () => {
  it("answers NOT_FOUND for another owner's generation, image and collection", async () => {
    const alice = await createKey({ owner: "alice" });
    const bob = await createKey({ owner: "bob" });
    const generation = (await call(alice.secret, "POST", "/api/v2/generate/text-to-image", local())).json;
    const collection = (await call(alice.secret, "POST", "/api/v2/collections", { name: "Mine" })).json.collection;
    const attempts = [
      await call(bob.secret, "GET", `/api/v2/generations/${generation.id}`),
      await call(bob.secret, "POST", `/api/v2/generations/${generation.id}:cancel`, {}),
      await call(bob.secret, "POST", "/api/v2/gallery/items", { image_id: generation.images[0].id }),
      await call(bob.secret, "GET", `/api/v2/collections/${collection.id}`),
    ];
    expect(attempts.map((r) => [r.status, r.json.error.code])).toEqual(Array(4).fill([404, "NOT_FOUND"]));
    expect((await call(alice.secret, "GET", `/api/v2/generations/${generation.id}`)).status).toBe(200);
  });
});

describe("rate limits", () => {
  it("puts the tier's X-RateLimit-* headers on every answer and refuses with 429 + Retry-After past the limit", async () => {
    const { secret } = await createKey({ owner: "limited", tier: "free" });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await call(secret, "GET", "/api/v2/models"));
    expect(
      answers.map((a) => [a.status, a.headers.get("x-ratelimit-limit"), a.headers.get("x-ratelimit-remaining")]),
    ).toEqual([
      [200, "4", "3"],
      [200, "4", "2"],
      [200, "4", "1"],
      [200, "4", "0"],
      [429, "4", "0"],
    ]);
    const refused = answers[4]!;
    expect(refused.json.error.code).toBe("RATE_LIMITED");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    expect(Number(refused.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(0);
  });
});

describe("quotas", () => {
  it("charges what was produced, reports X-Quota-*, and answers 402 once the month's credits are spent", async () => {
    const { secret } = await createKey({ owner: "quota", monthly_credit_quota: 3 });
    const metered = local({ model: METERED_LOCAL, parameters: { width: 64, height: 64, seed: 1, num_outputs: 2 } });
    const first = await call(secret, "POST", "/api/v2/generate/text-to-image", metered);
    expect([first.status, first.json.cost?.credits]).toEqual([200, 2]);
    expect(first.headers.get("x-quota-limit")).toBe("3");
    const probe = await call(secret, "GET", "/api/v2/models");
    expect(probe.headers.get("x-quota-remaining")).toBe("1");
    expect(Number(probe.headers.get("x-quota-reset"))).toBeGreaterThan(Date.now() / 1000);
    const second = await call(secret, "POST", "/api/v2/generate/text-to-image", {
      ...metered,
      parameters: { ...metered.parameters, seed: 2 },
    });
    expect([second.status, second.json.error?.code]).toEqual([402, "QUOTA_EXCEEDED"]);
    // A free model still runs: only what costs is refused.
    expect((await call(secret, "POST", "/api/v2/generate/text-to-image", local())).status).toBe(200);
  });
});

describe("idempotency", () => {
  it("replays the first generation for a retried create and charges it once", async () => {
    const { secret } = await createKey({ owner: "idem", monthly_credit_quota: 10 });
    const body = local({ model: METERED_LOCAL, parameters: { width: 64, height: 64, seed: 3 }, use_cache: false });
    const headers = { "idempotency-key": "order-1234" };
    const first = await call(secret, "POST", "/api/v2/generate/text-to-image", body, headers);
    const again = await call(secret, "POST", "/api/v2/generate/text-to-image", body, headers);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get("x-quota-remaining")).toBe("9");
    const list = await call(secret, "GET", "/api/v2/generations");
    expect(list.json.generations).toHaveLength(1);
  });

  it("treats request_id like the header", async () => {
    const { secret } = await createKey({ owner: "idem-field" });
    const first = await call(
      secret,
      "POST",
      "/api/v2/generate/text-to-image",
      local({ request_id: "r-1", use_cache: false }),
    );
    const again = await call(
      secret,
      "POST",
      "/api/v2/generate/text-to-image",
      local({ request_id: "r-1", use_cache: false }),
    );
    expect(again.json.id).toBe(first.json.id);
  });

  it("refuses the same key with a different body with 422 IDEMPOTENCY_MISMATCH", async () => {
    const { secret } = await createKey({ owner: "idem-mismatch" });
    const headers = { "idempotency-key": "k-1" };
    await call(secret, "POST", "/api/v2/generate/text-to-image", local(), headers);
    const res = await call(
      secret,
      "POST",
      "/api/v2/generate/text-to-image",
      local({ prompt: "another prompt" }),
      headers,
    );
    expect([res.status, res.json.error.code]).toEqual([422, "IDEMPOTENCY_MISMATCH"]);
  });
});

describe("cache (seed 002 semantics)", () => {
  const generate = (key: string, body: Record<string, unknown>) =>
    call(key, "POST", "/api/v2/generate/text-to-image", body);

  it("serves an identical seeded request from the cache, says so and under which key, and charges it once", async () => {
    const { secret } = await createKey({ owner: "cache", monthly_credit_quota: 10 });
    const body = local({ model: METERED_LOCAL, prompt: "cached lighthouse" });
    const first = await generate(secret, body);
    const again = await generate(secret, { ...body, request_id: "another-request" });
    expect([first.json.cached ?? false, again.json.cached]).toEqual([false, true]);
    expect(first.json.cache_key).toMatch(/^cache_/);
    expect(again.json.cache_key).toBe(first.json.cache_key);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get("x-quota-remaining")).toBe("9");
  });

  it.each([
    ["an unseeded request is not cached", { parameters: { width: 64, height: 64 } }, false],
    ["an unseeded request is cached when it asks", { parameters: { width: 64, height: 64 }, use_cache: true }, true],
    ["a seeded request opting out is not cached", { use_cache: false }, false],
  ])("%s", async (_title, extra, hit) => {
    const { secret } = await createKey({ owner: `cache-${Math.random().toString(36).slice(2)}` });
    const body = local({ prompt: "a cache probe", ...extra });
    const first = await generate(secret, body);
    const again = await generate(secret, body);
    expect([again.json.id === first.json.id, again.json.cached ?? false]).toEqual([hit, hit]);
  });

  it("never serves one owner's result to another", async () => {
    const [a, b] = [await createKey({ owner: "cache-a" }), await createKey({ owner: "cache-b" })];
    const body = local({ prompt: "private lighthouse" });
    const mine = await generate(a.secret, body);
    const theirs = await generate(b.secret, body);
    expect([theirs.json.id === mine.json.id, theirs.json.cached ?? false]).toEqual([false, false]);
  });
});
