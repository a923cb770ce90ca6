import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@imagegen/server-kit";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebhookDispatcher, type WebhookTransport } from "./webhook-dispatcher.ts";
import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../store/open-sqlite.ts";
import { SqliteWebhookStore } from "./sqlite-webhook-store.ts";
import type { WebhookStore } from "./webhook-store.ts";

interface Sent {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let dir: string;
let db: DatabaseSync;
let store: WebhookStore;
let sent: Sent[];
// The receiver answers with the next status of this list (then 204), like a flaky endpoint.
let statuses: number[];
const transport: WebhookTransport = async (url, init) => {
  sent.push({ url, headers: init.headers, body: init.body });
  return statuses.shift() ?? 204;
};
const dispatcherWith = (retryDelaySeconds: number) =>
  new WebhookDispatcher(store, transport, createLogger("test"), { attemptTimeoutMs: 1000, defaultMaxRetries: 1, defaultRetryDelaySeconds: retryDelaySeconds });
async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "webhook-dispatcher-"));
  db = openSqlite(join(dir, "imagegen.sqlite"));
  store = new SqliteWebhookStore(db);
  sent = [];
  statuses = [];
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("deliveries to a request's own webhook_url", () => {
  it("are signed with the owner's default secret, verifiable with the standardwebhooks package", async () => {
    dispatcherWith(60).emit("acme", "generation.completed", { generation_id: "gen_1" }, { url: "https://receiver.example/hook" });
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
    dispatcherWith(1).emit("acme", "generation.completed", { generation_id: "gen_2" }, { url: "https://receiver.example/hook" });
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
    dispatcherWith(60).emit("acme", "generation.completed", { generation_id: "gen_3" }, { url: "https://receiver.example/hook" });
    await until(() => sent.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(1);
    expect(() => new Webhook("webhook_secret_key_123", { format: "raw" }).verify(sent[0]!.body, sent[0]!.headers)).not.toThrow();
  });
});
