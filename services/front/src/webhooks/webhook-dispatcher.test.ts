import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@imagegen/server-kit";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebhookDispatcher, type WebhookTransport } from "./webhook-dispatcher.ts";
import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../store/open-sqlite.ts";
import { SqliteWebhookOutbox } from "./sqlite-webhook-outbox.ts";
import { SqliteWebhookStore } from "./sqlite-webhook-store.ts";
import type { WebhookOutbox } from "./webhook-outbox.ts";
import type { WebhookStore } from "./webhook-store.ts";

interface Sent {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let dir: string;
let db: DatabaseSync;
let store: WebhookStore;
let outbox: WebhookOutbox;
let sent: Sent[];
// The receiver answers with the next status of this list (then 204), like a flaky endpoint.
let statuses: number[];
const transport: WebhookTransport = async (url, init) => {
  sent.push({ url, headers: init.headers, body: init.body });
  return statuses.shift() ?? 204;
};
const dispatchers: WebhookDispatcher[] = [];
function dispatcherWith(
  retryDelaySeconds: number,
  options: { holder?: string; claimMs?: number; transport?: WebhookTransport; pollMs?: number } = {},
): WebhookDispatcher {
  const dispatcher = new WebhookDispatcher(store, outbox, options.transport ?? transport, createLogger("test"), {
    attemptTimeoutMs: 1000,
    defaultMaxRetries: 1,
    defaultRetryDelaySeconds: retryDelaySeconds,
    holder: options.holder ?? "front-a",
    pollMs: options.pollMs ?? 50,
    claimMs: options.claimMs,
  });
  dispatchers.push(dispatcher);
  dispatcher.start();
  return dispatcher;
}
async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "webhook-dispatcher-"));
  db = openSqlite(join(dir, "imagegen.sqlite"));
  store = new SqliteWebhookStore(db);
  outbox = new SqliteWebhookOutbox(db);
  sent = [];
  statuses = [];
});
afterEach(() => {
  for (const d of dispatchers.splice(0)) d.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("deliveries to a request's own webhook_url", () => {
  it("are signed with the owner's default secret, verifiable with the standardwebhooks package", async () => {
    dispatcherWith(60).emit(
      "acme",
      "generation.completed",
      { generation_id: "gen_1" },
      { url: "https://receiver.example/hook" },
    );
    await until(() => sent.length === 1);
    const [delivery] = sent;
    expect(delivery?.url).toBe("https://receiver.example/hook");
    const payload = new Webhook(await store.defaultSecret("acme")).verify(delivery!.body, delivery!.headers);
    expect(payload).toMatchObject({ event: "generation.completed", data: { generation_id: "gen_1" } });
    const otherOwners = await store.defaultSecret("globex");
    expect(() => new Webhook(otherOwners).verify(delivery!.body, delivery!.headers)).toThrow(WebhookVerificationError);
  });

  it("re-sign a retry after a rotation with the new secret, under the same webhook-id", async () => {
    statuses = [500];
    dispatcherWith(1).emit(
      "acme",
      "generation.completed",
      { generation_id: "gen_2" },
      { url: "https://receiver.example/hook" },
    );
    await until(() => sent.length === 1);
    const old = await store.defaultSecret("acme");
    const rotated = await store.rotateDefaultSecret("acme");
    await until(() => sent.length === 2);
    const [first, retry] = sent;
    expect(retry?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    expect(() => new Webhook(old).verify(first!.body, first!.headers)).not.toThrow();
    expect(() => new Webhook(rotated).verify(retry!.body, retry!.headers)).not.toThrow();
    expect(() => new Webhook(old).verify(retry!.body, retry!.headers)).toThrow(WebhookVerificationError);
  });

  it("reach a URL that is also a subscribed registered webhook once, signed with that webhook's secret", async () => {
    await store.insert({
      id: "webhook_1",
      owner: "acme",
      url: "https://receiver.example/hook",
      events: ["generation.completed"],
      secret: "webhook_secret_key_123",
      active: true,
      maxRetries: 0,
      retryDelaySeconds: 1,
      createdAt: Date.now(),
    });
    dispatcherWith(60).emit(
      "acme",
      "generation.completed",
      { generation_id: "gen_3" },
      { url: "https://receiver.example/hook" },
    );
    await until(() => sent.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(1);
    expect(() =>
      new Webhook("webhook_secret_key_123", { format: "raw" }).verify(sent[0]!.body, sent[0]!.headers),
    ).not.toThrow();
  });
});

describe("the outbox behind the dispatcher", () => {
  const hook = {
    id: "webhook_9",
    owner: "acme",
    url: "https://receiver.example/registered",
    events: ["generation.completed"],
    secret: "webhook_secret_key_123",
    active: true,
    maxRetries: 2,
    retryDelaySeconds: 1,
    createdAt: 1,
  };

  it("delivers an event once though two dispatchers (two replicas) drain the same outbox", async () => {
    await store.insert(hook);
    const [a, b] = [dispatcherWith(60, { holder: "front-a" }), dispatcherWith(60, { holder: "front-b" })];
    for (let i = 0; i < 10; i++) (i % 2 ? a : b).emit("acme", "generation.completed", { generation_id: `gen_${i}` });
    await until(() => sent.length === 10);
    await new Promise((r) => setTimeout(r, 200));
    expect(sent).toHaveLength(10);
    expect(new Set(sent.map((s) => s.headers["webhook-id"])).size).toBe(10);
    expect((await store.deliveries("webhook_9", 50, 0)).every((d) => d.status === "delivered" && d.attempt === 1)).toBe(
      true,
    );
  });

  it("leaves an entry a dead replica claimed to another after the claim, under the same webhook-id", async () => {
    await store.insert(hook);
    // The first replica's attempt never returns (it died mid-delivery).
    const hung: WebhookTransport = () => new Promise(() => undefined);
    const dead = dispatcherWith(60, { holder: "front-dead", claimMs: 300, transport: hung });
    dead.emit("acme", "generation.completed", { generation_id: "gen_lost" });
    await new Promise((r) => setTimeout(r, 100));
    dead.stop();
    expect(sent).toHaveLength(0);
    dispatcherWith(60, { holder: "front-survivor" });
    await until(() => sent.length === 1);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ data: { generation_id: "gen_lost" } });
    expect(() => new Webhook(hook.secret, { format: "raw" }).verify(sent[0]!.body, sent[0]!.headers)).not.toThrow();
  });

  it("keeps a scheduled retry across a restart: a new dispatcher makes it when due", async () => {
    await store.insert(hook);
    statuses = [503];
    const first = dispatcherWith(60, { holder: "front-a" });
    first.emit("acme", "generation.completed", { generation_id: "gen_retry" });
    await until(() => sent.length === 1);
    first.stop();
    dispatcherWith(60, { holder: "front-restarted" });
    await until(() => sent.length === 2);
    expect(sent[1]!.headers["webhook-id"]).toBe(sent[0]!.headers["webhook-id"]);
    const log = await store.deliveries("webhook_9", 10, 0);
    expect(log.map((d) => [d.attempt, d.status])).toEqual([
      [2, "delivered"],
      [1, "pending"],
    ]);
  });

  it("gives up after the webhook's retries and logs the attempts as failed", async () => {
    await store.insert({ ...hook, maxRetries: 1 });
    statuses = [500, 500, 500];
    dispatcherWith(60).emit("acme", "generation.completed", { generation_id: "gen_fail" });
    await until(() => sent.length === 2);
    await new Promise((r) => setTimeout(r, 1_300));
    expect(sent).toHaveLength(2);
    expect((await store.deliveries("webhook_9", 10, 0)).map((d) => d.status)).toEqual(["failed", "pending"]);
  });
});

describe("draining the outbox", () => {
  /** The outbox, counting the claims made on it. */
  function countingClaims(): { claims: () => number } {
    let claims = 0;
    const real = outbox;
    outbox = {
      enqueue: (entries) => real.enqueue(entries),
      claimDue: (...args) => {
        claims++;
        return real.claimDue(...args);
      },
      finish: (...args) => real.finish(...args),
      purgeFinished: (before) => real.purgeFinished(before),
    };
    return { claims: () => claims };
  }

  it("claims nothing for an event with no target, and drains at once for one with a target", async () => {
    const counter = countingClaims();
    // Polling every minute: within the test, only the start and the events themselves drain.
    const dispatcher = dispatcherWith(60, { pollMs: 60_000 });
    await until(() => counter.claims() === 1);
    for (let i = 0; i < 5; i++) dispatcher.emit("nobody", "generation.completed", { generation_id: `gen_${i}` });
    await new Promise((r) => setTimeout(r, 100));
    expect(counter.claims()).toBe(1);
    dispatcher.emit("acme", "generation.completed", { generation_id: "gen_hook" }, { url: "https://r.example/h" });
    await until(() => sent.length === 1);
    expect(counter.claims()).toBeGreaterThan(1);
  });

  it("still delivers, by its periodic check, what another replica queued", async () => {
    dispatcherWith(60, { holder: "front-b", pollMs: 50 });
    // Another replica queued an entry and died before draining it (stopped: it never drains).
    const other = new WebhookDispatcher(store, outbox, transport, createLogger("test"), {
      attemptTimeoutMs: 1000,
      defaultMaxRetries: 1,
      defaultRetryDelaySeconds: 60,
      holder: "front-a",
    });
    other.stop();
    other.emit("acme", "generation.completed", { generation_id: "gen_other" }, { url: "https://r.example/h" });
    await until(() => sent.length === 1);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ data: { generation_id: "gen_other" } });
  });
});

describe("the SQLite webhooks table", () => {
  it("finds an owner's webhooks through an index, as PostgreSQL does (every finished generation asks)", () => {
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM webhooks WHERE owner = ? ORDER BY created_at, id")
      .all("acme") as Array<{ detail: string }>;
    expect(plan.map((step) => step.detail).join("; ")).toMatch(/USING INDEX webhooks_owner/);
  });
});
