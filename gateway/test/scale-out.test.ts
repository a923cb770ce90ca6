import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, startRedis, type TestServer } from "../../services/front/test/state-servers.ts";
import { configWithTiers, restClient } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from "./support/webhook-receiver.ts";

// Two complete instances (gateway + front + provider each) with SEPARATE data dirs, sharing only
// one PostgreSQL, one Redis and the URL signing key: every feature must work through either.
let postgres: TestServer;
let redis: TestServer;
let a: RunningSystem;
let b: RunningSystem;
let callA: ReturnType<typeof restClient>;
let callB: ReturnType<typeof restClient>;
let key: string;
let receiver: WebhookReceiver;
let receiverUrl: string;
let received: ReceivedDelivery[];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  ({ url: receiverUrl, received } = receiver);
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const env = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    IMAGEGEN_URL_SIGNING_KEY: randomBytes(32).toString("base64"),
    IMAGEGEN_FETCH_ALLOW_HOSTS: `127.0.0.1:${receiver.port}`,
    // Free: a per-minute limit reached in a few calls; basic: one generation at a time per key.
    IMAGEGEN_CONFIG: configWithTiers({
      free: { per_minute: 3, per_hour: 1000, per_day: 1000, monthly_credits: 100, max_concurrent: 2 },
      basic: { per_minute: 600, per_hour: 10000, per_day: 10000, monthly_credits: 10000, max_concurrent: 1 },
    }),
  };
  // One after the other: the first runs the schema migrations, the second finds them applied.
  a = await startSystem(env);
  b = await startSystem(env);
  [callA, callB] = [restClient(a), restClient(b)];
  const created = await callA(a.adminKey, "POST", "/api/v2/admin/keys", { owner: "scale-out", tier: "pro" });
  expect(created.status, created.text).toBe(201);
  key = created.json.secret as string;
}, 180_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([postgres?.stop(), redis?.stop()]);
  receiver?.close();
});

const small = { prompt: "a lighthouse at dusk", model: "local", parameters: { width: 64, height: 64 } };
// Four large images take the local renderer over a second: long enough to watch and cancel.
const slow = {
  prompt: "a storm over the sea at night",
  model: "local",
  parameters: { width: 2048, height: 2048, num_outputs: 4 },
};

/** `url` (signed by the instance that made it) asked of `system`'s gateway instead. */
function through(system: RunningSystem, url: string): string {
  const parsed = new URL(url);
  return `${system.baseUrl}${parsed.pathname}${parsed.search}`;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("two instances with separate data dirs over one PostgreSQL and Redis", () => {
  it("keeps image bytes out of both data dirs: they live in the shared database", async () => {
    const made = await callA(key, "POST", "/api/v2/generate/text-to-image", small);
    expect(made.status, made.text).toBe(200);
    for (const system of [a, b]) {
      const images = join(system.dataDir, "images");
      expect(existsSync(images) ? readdirSync(images) : []).toEqual([]);
    }
  });

  it("reads a generation made on A through B, downloads its image through B's gateway, and lists it there", async () => {
    const made = await callA(key, "POST", "/api/v2/generate/text-to-image", { ...small, prompt: "a harbour" });
    expect(made.json.status).toBe("completed");
    const read = await callB(key, "GET", `/api/v2/generations/${made.json.id}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ id: made.json.id, status: "completed" });
    const image = await fetch(through(b, made.json.images[0].url));
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe("PNG");
    expect(bytes.equals(Buffer.from(await (await fetch(made.json.images[0].url)).arrayBuffer()))).toBe(true);
    // Signed URLs still refuse a tampered signature on the other instance.
    expect((await fetch(through(b, made.json.images[0].url).replace(/sig=[^&]+/, "sig=AAAA"))).status).toBe(403);
    const listed = await callB(key, "GET", "/api/v2/generations?page_size=10");
    expect(listed.json.generations.map((g: { id: string }) => g.id)).toContain(made.json.id);
  });

  it("watches and cancels through B a generation running on A; A does not overwrite the cancel", async () => {
    const watched = await callA(key, "POST", "/api/v2/generate/text-to-image", slow, { prefer: "respond-async" });
    expect(watched.status).toBe(202);
    const stream = await fetch(`${b.baseUrl}/api/v2/generations/${watched.json.id}:watch`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(stream.status).toBe(200);
    const events = (await stream.text())
      .split("\n\n")
      .filter(Boolean)
      .map((block) => /^event: (\S+)/.exec(block)?.[1]);
    expect(events.at(-1)).toBe("completed");
    expect(events).toContain("image");

    const running = await callA(
      key,
      "POST",
      "/api/v2/generate/text-to-image",
      { ...slow, prompt: "another storm" },
      { prefer: "respond-async" },
    );
    const canceled = await callB(key, "POST", `/api/v2/generations/${running.json.id}:cancel`, {});
    expect(canceled.status, canceled.text).toBe(200);
    expect(canceled.json.status).toBe("canceled");
    // A notices within its cancel check and stops; the stored state stays canceled everywhere.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const call of [callA, callB])
      expect((await call(key, "GET", `/api/v2/generations/${running.json.id}`)).json.status).toBe("canceled");
  });

  it("lists on B the gallery item and collection made on A, thumbnail served by B", async () => {
    const made = await callA(key, "POST", "/api/v2/generate/text-to-image", { ...small, prompt: "a sunset" });
    const collection = await callA(key, "POST", "/api/v2/collections", { name: "Across Replicas" });
    expect(collection.status, collection.text).toBe(201);
    const added = await callA(key, "POST", "/api/v2/gallery/items", {
      image_id: made.json.images[0].id,
      title: "Made on A",
      tags: ["scale"],
      collections: ["across-replicas"],
    });
    expect(added.status, added.text).toBe(201);
    const gallery = await callB(key, "GET", "/api/v2/gallery?tags=scale");
    expect(gallery.json.gallery.total_items).toBe(1);
    expect(gallery.json.gallery.items[0]).toMatchObject({
      title: "Made on A",
      image_id: made.json.images[0].id,
      collections: [collection.json.collection.id],
    });
    expect((await fetch(through(b, gallery.json.gallery.items[0].thumbnail_url))).status).toBe(200);
    const collections = await callB(key, "GET", "/api/v2/collections");
    expect(collections.json.collections).toEqual([
      expect.objectContaining({ name: "Across Replicas", slug: "across-replicas", item_count: 1 }),
    ]);
    // Adding the same image through B finds A's item: one item, not two.
    const again = await callB(key, "POST", "/api/v2/gallery/items", { image_id: made.json.images[0].id });
    expect(again.status).toBe(200);
    expect(again.json.item.id).toBe(added.json.item.id);
  });

  it("applies on B the preferences saved on A", async () => {
    const saved = await callA(key, "PATCH", "/api/v2/user/preferences", {
      default_model: "local",
      default_size: "320x240",
      nsfw_filter: true,
      auto_save_gallery: false,
    });
    expect(saved.status, saved.text).toBe(200);
    const made = await callB(key, "POST", "/api/v2/generate/text-to-image", { prompt: "a quiet harbour" });
    expect(made.json.model).toBe("local");
    expect(made.json.images[0]).toMatchObject({ width: 320, height: 240 });
    expect((await callB(key, "GET", "/api/v2/user/profile")).json.user.preferences).toMatchObject({
      default_size: "320x240",
    });
  });

  it("delivers once, signed, a webhook registered on A for a generation that ran on B", async () => {
    const secret = `whsec_${Buffer.from("a-very-secret-key-of-32-bytes!!!").toString("base64")}`;
    const hook = await callA(key, "POST", "/api/v2/webhooks", {
      url: `${receiverUrl}/once`,
      events: ["generation.completed"],
      secret,
    });
    expect(hook.status, hook.text).toBe(201);
    const made = await callB(key, "POST", "/api/v2/generate/text-to-image", {
      ...small,
      prompt: "a webhook across replicas",
    });
    expect(made.json.status).toBe("completed");
    const mine = () =>
      received.filter((r) => r.path === "/once" && JSON.parse(r.body).data?.generation_id === made.json.id);
    await until(
      async () => mine().length,
      (n) => n > 0,
    );
    // Both fronts drain the outbox every second: wait out a few rounds, still one delivery.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(mine()).toHaveLength(1);
    const { Webhook } = await import("standardwebhooks");
    expect(() =>
      new Webhook(secret).verify(mine()[0]!.body, mine()[0]!.headers as Record<string, string>),
    ).not.toThrow();
    const log = await callB(key, "GET", `/api/v2/webhooks/${hook.json.webhook.id}/deliveries`);
    expect(log.json.deliveries).toEqual([expect.objectContaining({ status: "delivered", attempt: 1 })]);
    await callB(key, "DELETE", `/api/v2/webhooks/${hook.json.webhook.id}`);
  });

  it("holds the free tier's per-minute limit across both", async () => {
    const free = await callB(b.adminKey, "POST", "/api/v2/admin/keys", { owner: "scale-free", tier: "free" });
    const secret = free.json.secret as string;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await (i % 2 ? callB : callA)(secret, "GET", "/api/v2/models")).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("holds a key's concurrency cap across both: a second generation on B waits for the one running on A", async () => {
    const basic = await callA(a.adminKey, "POST", "/api/v2/admin/keys", { owner: "scale-concurrency", tier: "basic" });
    const secret = basic.json.secret as string;
    const running = await callA(secret, "POST", "/api/v2/generate/text-to-image", slow, { prefer: "respond-async" });
    expect(running.status, running.text).toBe(202);
    const refused = await callB(secret, "POST", "/api/v2/generate/text-to-image", small);
    expect(refused.status, refused.text).toBe(429);
    expect(refused.text).toContain("max_concurrent");
    // Canceled through B, the generation ends on A, which gives its slot back.
    expect((await callB(secret, "POST", `/api/v2/generations/${running.json.id}:cancel`, {})).status).toBe(200);
    const admitted = await until(
      () => callB(secret, "POST", "/api/v2/generate/text-to-image", small),
      (r) => r.status !== 429,
    );
    expect(admitted.status, admitted.text).toBe(200);
  });

  // Last: it kills A's front.
  it("leaves a delivery pending on an instance that dies to the other, same webhook-id", async () => {
    const hook = await callA(key, "POST", "/api/v2/webhooks", {
      url: `${receiverUrl}/flaky`,
      events: ["generation.completed"],
      retry_policy: { max_retries: 3, retry_delay_seconds: 2 },
    });
    expect(hook.status, hook.text).toBe(201);
    const made = await callA(key, "POST", "/api/v2/generate/text-to-image", {
      ...small,
      prompt: "a delivery that outlives its replica",
    });
    const mine = () =>
      received.filter((r) => r.path === "/flaky" && JSON.parse(r.body).data?.generation_id === made.json.id);
    // The first attempt fails (the receiver answers 500); the retry is due 2 s later. Kill A once it has
    // recorded that attempt as pending (killed mid-attempt, its claim would hold the entry for the claim's
    // whole lease instead — a different path).
    await until(
      async () => mine().length,
      (n) => n > 0,
    );
    await until(
      async () =>
        (await callA(key, "GET", `/api/v2/webhooks/${hook.json.webhook.id}/deliveries`)).json.deliveries ?? [],
      (deliveries: Array<{ status: string }>) => deliveries.some((d) => d.status === "pending"),
    );
    expect(await a.kill("front", "SIGKILL")).toBeNull();
    await until(
      async () => mine().length,
      (n) => n > 1,
      30_000,
    );
    const [first, retry] = mine();
    expect(retry?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    const log = await callB(key, "GET", `/api/v2/webhooks/${hook.json.webhook.id}/deliveries`);
    expect(log.json.deliveries.map((d: { attempt: number; status: string }) => [d.attempt, d.status])).toEqual([
      [2, "delivered"],
      [1, "pending"],
    ]);
  });
});
