/**
 * CPU per finished generation spent telling webhooks when the owner has none (the common case):
 * `node --import tsx bench/micro/webhook-emit-cost.ts [N]`, against a SQLite file in a temp dir.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@imagegen/server-kit";
import { openSqlite } from "../../services/front/src/store/open-sqlite.ts";
import { SqliteWebhookOutbox } from "../../services/front/src/webhooks/sqlite-webhook-outbox.ts";
import { SqliteWebhookStore } from "../../services/front/src/webhooks/sqlite-webhook-store.ts";
import { WebhookDispatcher } from "../../services/front/src/webhooks/webhook-dispatcher.ts";

const db = openSqlite(join(mkdtempSync(join(tmpdir(), "webhook-emit-")), "state.sqlite"));
const store = new SqliteWebhookStore(db);
const dispatcher = new WebhookDispatcher(store, new SqliteWebhookOutbox(db), async () => 200, createLogger("bench"), {
  attemptTimeoutMs: 1000,
  defaultMaxRetries: 0,
  defaultRetryDelaySeconds: 1,
  holder: "bench",
  pollMs: 3_600_000,
});
const N = Number(process.argv[2] ?? 5000);
const settle = () => new Promise((resolve) => setTimeout(resolve, 1));
const data = { id: "gen_x", status: "completed" };
for (let i = 0; i < 500; i++) dispatcher.emit("owner_a", "generation.completed", data);
await settle();
const before = process.cpuUsage();
for (let i = 0; i < N; i++) {
  dispatcher.emit("owner_a", "generation.completed", data);
  // One at a time, as generations finish: each emit's own queries and passes run before the next.
  if (i % 10 === 9) await settle();
}
await settle();
const used = process.cpuUsage(before);
console.log(`${((used.user + used.system) / N).toFixed(1)} us CPU per emit with no webhook`);
dispatcher.stop();
process.exit(0);
