import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestServer } from "../../test/state-servers.ts";
import type { CollectionRecord, GalleryItemRecord } from "../gallery/gallery-store.ts";
import type { OutboxEntry } from "../webhooks/webhook-outbox.ts";
import type { WebhookRecord } from "../webhooks/webhook-store.ts";
import type { IntegrationRecord, UploadRecord } from "../integrations/integration-store.ts";
import { openState, type State } from "./open-state.ts";

// The gallery, preferences and webhook families, one suite on both backends: each opened twice
// over one database, as two replicas (PostgreSQL) or two processes on one data dir (SQLite) are.
let postgres: TestServer;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.stop());

const sqliteDir = mkdtempSync(join(tmpdir(), "imagegen-state-"));
const backends: Array<[string, () => Promise<State>]> = [
  ["sqlite", () => openState(sqliteDir, {})],
  ["postgres", () => openState(sqliteDir, { DATABASE_URL: postgres.url })],
];

describe.each(backends)("table families on %s", (name, open) => {
  let a: State;
  let b: State;
  const owner = `owner_${name}_${Math.random().toString(36).slice(2)}`;
  beforeAll(async () => {
    [a, b] = [await open(), await open()];
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const item = (n: number, patch: Partial<GalleryItemRecord> = {}): GalleryItemRecord => ({
    id: `gi_${name}_${n}`,
    owner,
    imageId: `img_${n}`,
    generationId: `gen_${n}`,
    thumbnailPath: `gen_${n}/thumb.jpg`,
    title: `title ${String.fromCharCode(100 - n)}`,
    description: "",
    tags: n % 2 ? ["sea", "night"] : ["sea"],
    model: n % 2 ? "flux" : "sdxl",
    prompt: "a lighthouse",
    isPublic: false,
    createdAt: 1_700_000_000_000 + n * 1000,
    ...patch,
  });
  const collection = (n: number, name_: string): CollectionRecord => ({
    id: `coll_${name}_${n}`,
    owner,
    name: name_,
    slug: name_.toLowerCase().replace(/ /g, "-"),
    description: "",
    isPublic: false,
    coverImageId: "",
    createdAt: 1_700_000_000_000 + n,
  });

  it("lists on one handle the gallery items and collections saved through the other", async () => {
    await a.gallery.insertCollection(collection(1, "My Landscapes"));
    await a.gallery.insertCollection(collection(2, "Night"));
    for (const n of [1, 2, 3])
      await a.gallery.insertItemOnce(item(n), n === 3 ? [`coll_${name}_2`, `coll_${name}_1`] : []);
    const all = await b.gallery.listItems(owner, {
      page: 1,
      limit: 2,
      sort: "created_at",
      order: "desc",
      tags: [],
      model: "",
    });
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.id)).toEqual([`gi_${name}_3`, `gi_${name}_2`]);
    expect(all.items[0]).toEqual(item(3));
    const night = await b.gallery.listItems(owner, {
      page: 1,
      limit: 10,
      sort: "title",
      order: "asc",
      tags: ["night"],
      model: "flux",
    });
    expect(night.items.map((i) => i.id)).toEqual([`gi_${name}_3`, `gi_${name}_1`]);
    const ranged = await b.gallery.listItems(owner, {
      page: 1,
      limit: 10,
      sort: "created_at",
      order: "asc",
      tags: [],
      model: "",
      from: 1_700_000_002_000,
      to: 1_700_000_002_000,
    });
    expect(ranged.items.map((i) => i.id)).toEqual([`gi_${name}_2`]);
    expect(await b.gallery.collectionsOf(`gi_${name}_3`)).toEqual([`coll_${name}_2`, `coll_${name}_1`]);
    expect(await b.gallery.itemCount(`coll_${name}_1`)).toBe(1);
    expect((await b.gallery.listCollections(owner, 10, 0)).map((c) => c.name)).toEqual(["My Landscapes", "Night"]);
    expect(
      await b.gallery.listItems("someone-else", {
        page: 1,
        limit: 10,
        sort: "created_at",
        order: "desc",
        tags: [],
        model: "",
      }),
    ).toEqual({ items: [], total: 0 });
  });

  it("makes one item of two concurrent adds of the same image, through either handle", async () => {
    const [first, second] = await Promise.all([
      a.gallery.insertItemOnce(item(10), [`coll_${name}_1`]),
      b.gallery.insertItemOnce(item(10, { id: `gi_${name}_10b` }), [`coll_${name}_2`]),
    ]);
    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(first.item.id).toBe(second.item.id);
    expect((await a.gallery.findItemByImage(owner, "img_10"))?.id).toBe(first.item.id);
    expect((await a.gallery.collectionsOf(first.item.id)).sort()).toEqual([`coll_${name}_1`, `coll_${name}_2`]);
  });

  it("finds a collection by id, slug or name without case, updates and deletes it with its membership", async () => {
    expect((await b.gallery.findCollection(owner, "my landscapes"))?.id).toBe(`coll_${name}_1`);
    expect((await b.gallery.findCollection(owner, "night"))?.id).toBe(`coll_${name}_2`);
    expect((await b.gallery.getCollection(owner, `coll_${name}_2`))?.slug).toBe("night");
    expect(await b.gallery.getCollection("someone-else", `coll_${name}_2`)).toBeUndefined();
    await b.gallery.updateCollection({ ...collection(2, "Nights"), slug: "nights", isPublic: true });
    expect(await a.gallery.getCollection(owner, "nights")).toMatchObject({ name: "Nights", isPublic: true });
    expect(await a.gallery.deleteCollection("someone-else", `coll_${name}_2`)).toBe(false);
    expect(await a.gallery.deleteCollection(owner, `coll_${name}_2`)).toBe(true);
    expect(await b.gallery.collectionsOf(`gi_${name}_3`)).toEqual([`coll_${name}_1`]);
    expect(await b.gallery.deleteItem(owner, `gi_${name}_3`)).toBe(true);
    expect(await b.gallery.deleteItem(owner, `gi_${name}_3`)).toBe(false);
    expect(await a.gallery.itemCount(`coll_${name}_1`)).toBe(1);
  });

  it("applies preferences saved through one handle on the other, defaults before any", async () => {
    expect(await b.profiles.preferences(owner)).toEqual({
      defaultModel: "",
      defaultSize: "",
      nsfwFilter: true,
      autoSaveGallery: false,
    });
    await a.profiles.savePreferences(owner, {
      defaultModel: "flux",
      defaultSize: "512x512",
      nsfwFilter: false,
      autoSaveGallery: true,
    });
    expect(await b.profiles.preferences(owner)).toEqual({
      defaultModel: "flux",
      defaultSize: "512x512",
      nsfwFilter: false,
      autoSaveGallery: true,
    });
    await b.profiles.savePreferences(owner, {
      defaultModel: "sdxl",
      defaultSize: "",
      nsfwFilter: true,
      autoSaveGallery: false,
    });
    expect((await a.profiles.preferences(owner)).defaultModel).toBe("sdxl");
  });

  const webhook = (n: number): WebhookRecord => ({
    id: `webhook_${name}_${n}`,
    owner,
    url: `https://receiver.example/${n}`,
    events: ["generation.completed"],
    secret: `whsec_secret_${n}`,
    active: true,
    maxRetries: 3,
    retryDelaySeconds: 60,
    createdAt: 1_700_000_000_000 + n,
  });

  it("keeps webhooks to their owner, visible through either handle, and logs deliveries", async () => {
    await a.webhooks.insert(webhook(1));
    await a.webhooks.insert(webhook(2));
    expect((await b.webhooks.list(owner)).map((w) => w.id)).toEqual([`webhook_${name}_1`, `webhook_${name}_2`]);
    expect(await b.webhooks.get(owner, `webhook_${name}_1`)).toEqual(webhook(1));
    expect(await b.webhooks.get("someone-else", `webhook_${name}_1`)).toBeUndefined();
    await b.webhooks.update({ ...webhook(2), active: false, events: ["generation.failed"] });
    expect(await a.webhooks.get(owner, `webhook_${name}_2`)).toMatchObject({
      active: false,
      events: ["generation.failed"],
    });
    const attempt = {
      webhookId: `webhook_${name}_1`,
      messageId: "msg_1",
      event: "generation.completed",
      responseStatus: 500,
      error: "receiver answered 500",
    };
    await a.webhooks.recordDelivery({ ...attempt, attempt: 1, attemptedAt: 1_700_000_100_000, status: "pending" });
    await b.webhooks.recordDelivery({
      ...attempt,
      attempt: 2,
      responseStatus: 204,
      error: "",
      attemptedAt: 1_700_000_160_000,
      status: "delivered",
    });
    expect((await a.webhooks.deliveries(`webhook_${name}_1`, 10, 0)).map((d) => [d.attempt, d.status])).toEqual([
      [2, "delivered"],
      [1, "pending"],
    ]);
    expect(await a.webhooks.deliveries(`webhook_${name}_1`, 10, 1)).toHaveLength(1);
    expect((await a.webhooks.get(owner, `webhook_${name}_1`))?.lastTriggeredAt).toBe(1_700_000_160_000);
    expect(await b.webhooks.delete("someone-else", `webhook_${name}_1`)).toBe(false);
    expect(await b.webhooks.delete(owner, `webhook_${name}_2`)).toBe(true);
    expect(await a.webhooks.list(owner)).toHaveLength(1);
  });

  it("agrees on one default signing secret per owner, even when both handles make it at once, and rotates it", async () => {
    const [x, y] = await Promise.all([a.webhooks.defaultSecret(owner), b.webhooks.defaultSecret(owner)]);
    expect(x).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(y).toBe(x);
    expect(await a.webhooks.defaultSecret(`${owner}_other`)).not.toBe(x);
    const rotated = await b.webhooks.rotateDefaultSecret(owner);
    expect(rotated).not.toBe(x);
    expect(await a.webhooks.defaultSecret(owner)).toBe(rotated);
  });

  const entry = (n: number, nextAt: number): OutboxEntry => ({
    messageId: `msg_${name}_${n}`,
    owner,
    webhookId: "adhoc",
    url: "https://receiver.example/hook",
    event: "generation.completed",
    body: `{"n":${n}}`,
    attempts: 0,
    maxRetries: 3,
    retryDelaySeconds: 60,
    nextAt,
    createdAt: nextAt,
  });

  it("hands each due outbox entry to exactly one of two claimers, and none before it is due", async () => {
    const t = 2_000_000_000_000;
    // The count inserted decides whether the dispatcher drains now (none for no targets).
    expect(await a.outbox.enqueue([1, 2, 3, 4, 5].map((n) => entry(n, t + n)))).toBe(5);
    expect(await b.outbox.enqueue([entry(6, 3_000_000_000_000)])).toBe(1);
    expect(await b.outbox.enqueue([])).toBe(0);
    const [x, y] = await Promise.all([
      a.outbox.claimDue(t + 10, "front-a", 1_000, 3),
      b.outbox.claimDue(t + 10, "front-b", 1_000, 3),
    ]);
    const claimed = [...x, ...y].map((e) => e.messageId).sort();
    expect(claimed).toEqual([1, 2, 3, 4, 5].map((n) => `msg_${name}_${n}`));
    expect([...x, ...y].find((e) => e.messageId === `msg_${name}_1`)).toEqual(entry(1, t + 1));
    // Claimed entries are not claimed again while the claim lasts.
    expect(await a.outbox.claimDue(t + 500, "front-c", 1_000, 10)).toEqual([]);
    for (const e of x) expect(await a.outbox.finish(e.messageId, "front-a", { kind: "delivered" })).toBe(true);
    for (const e of y) expect(await a.outbox.finish(e.messageId, "front-b", { kind: "delivered" })).toBe(true);
  });

  it("records outcomes only for the holder of the claim, reschedules retries, and gives expired claims to another", async () => {
    const t = 2_100_000_000_000;
    await a.outbox.enqueue([7, 8, 9].map((n) => entry(n, t)));
    expect((await a.outbox.claimDue(t, "front-a", 1_000, 10)).map((e) => e.messageId).sort()).toEqual(
      [7, 8, 9].map((n) => `msg_${name}_${n}`),
    );
    expect(await b.outbox.finish(`msg_${name}_7`, "front-b", { kind: "delivered" })).toBe(false);
    expect(await a.outbox.finish(`msg_${name}_7`, "front-a", { kind: "delivered" })).toBe(true);
    expect(await a.outbox.finish(`msg_${name}_7`, "front-a", { kind: "delivered" })).toBe(false);
    expect(await a.outbox.finish(`msg_${name}_8`, "front-a", { kind: "retry", nextAt: t + 5_000 })).toBe(true);
    // Entry 9's claim runs out (its replica died): another takes it, and the late finish is refused.
    expect((await b.outbox.claimDue(t + 2_000, "front-d", 1_000, 10)).map((e) => e.messageId)).toEqual([
      `msg_${name}_9`,
    ]);
    expect(await a.outbox.finish(`msg_${name}_9`, "front-a", { kind: "failed" })).toBe(false);
    expect(await b.outbox.finish(`msg_${name}_9`, "front-d", { kind: "failed" })).toBe(true);
    const retried = await a.outbox.claimDue(t + 6_000, "front-e", 1_000, 10);
    expect(retried).toEqual([{ ...entry(8, t), attempts: 1, nextAt: t + 5_000 }]);
    expect(await a.outbox.finish(`msg_${name}_8`, "front-e", { kind: "delivered" })).toBe(true);
    await a.outbox.purgeFinished(t + 1);
    expect(await a.outbox.claimDue(t + 10_000_000, "front-f", 1_000, 10)).toEqual([]);
  });

  const integration = (n: number): IntegrationRecord => ({
    id: `int_${name}_${n}`,
    owner,
    service: n % 2 ? "dropbox" : "google_drive",
    accountId: "dbid:1",
    accountName: "Ada",
    accountEmail: "ada@example.com",
    settings: { autoUpload: true, folderPath: "/AI Images", fileNaming: "{date}_{id}" },
    status: "active",
    sealedTokens: "v1.sealed",
    connectedAt: 1_700_000_000_000 + n,
  });
  const upload = (n: number, integrationId: string, nextAt: number): UploadRecord => ({
    id: `upl_${name}_${n}`,
    integrationId,
    owner,
    imageId: `img_${n}`,
    generationId: "gen_1",
    blobPath: `gen_1/img_${n}.png`,
    format: "png",
    model: "local-sd",
    prompt: "a lighthouse",
    index: n,
    status: "pending",
    remotePath: "",
    attempts: 0,
    lastError: "",
    nextAt,
    createdAt: nextAt,
    updatedAt: nextAt,
  });

  it("keeps integrations per owner: another owner's reads as absent; settings, status and tokens change apart", async () => {
    await a.integrations.insert(integration(1));
    await a.integrations.insert(integration(2));
    expect(await b.integrations.get(owner, `int_${name}_1`)).toEqual(integration(1));
    expect(await b.integrations.get(`${owner}_other`, `int_${name}_1`)).toBeUndefined();
    expect((await b.integrations.list(owner)).map((i) => i.id)).toEqual([`int_${name}_2`, `int_${name}_1`]);
    expect(
      await b.integrations.updateSettings(owner, `int_${name}_1`, {
        autoUpload: false,
        folderPath: "/x",
        fileNaming: "{id}",
      }),
    ).toBe(true);
    expect(
      await b.integrations.updateSettings(`${owner}_other`, `int_${name}_1`, {
        autoUpload: true,
        folderPath: "/y",
        fileNaming: "{id}",
      }),
    ).toBe(false);
    await b.integrations.setTokens(`int_${name}_1`, "v1.newer");
    await b.integrations.setStatus(`int_${name}_1`, "needs_reauth");
    expect(await a.integrations.byId(`int_${name}_1`)).toEqual({
      ...integration(1),
      settings: { autoUpload: false, folderPath: "/x", fileNaming: "{id}" },
      sealedTokens: "v1.newer",
      status: "needs_reauth",
    });
  });

  it("hands each due upload to exactly one of two claimers; a lapsed claim goes to another; failing open uploads fails them all", async () => {
    const t = 1_800_000_000_000;
    const id = `int_${name}_1`;
    await a.integrations.enqueueUploads([1, 2, 3, 4].map((n) => upload(n, id, t + n)));
    await b.integrations.enqueueUploads([upload(5, id, t + 1_000_000)]);
    const [x, y] = await Promise.all([
      a.integrations.claimDueUploads(t + 10, "front-a", 1_000, 2),
      b.integrations.claimDueUploads(t + 10, "front-b", 1_000, 2),
    ]);
    expect([...x, ...y].map((u) => u.id).sort()).toEqual([1, 2, 3, 4].map((n) => `upl_${name}_${n}`));
    expect([...x, ...y].every((u) => u.status === "uploading")).toBe(true);
    const [first, second] = x;
    expect(
      await b.integrations.finishUpload(
        first!.id,
        "front-b",
        { status: "completed", attempts: 1, lastError: "" },
        t + 20,
      ),
    ).toBe(false);
    expect(
      await a.integrations.finishUpload(
        first!.id,
        "front-a",
        { status: "completed", attempts: 1, remotePath: "/AI Images/a.png", lastError: "" },
        t + 20,
      ),
    ).toBe(true);
    expect(
      await a.integrations.finishUpload(
        second!.id,
        "front-a",
        { status: "pending", attempts: 1, lastError: "dropbox files/upload answered 429", nextAt: t + 5_000 },
        t + 20,
      ),
    ).toBe(true);
    // front-b dies holding its two: after the lease any replica takes them.
    expect(await a.integrations.claimDueUploads(t + 500, "front-c", 1_000, 10)).toEqual([]);
    const lapsed = await a.integrations.claimDueUploads(t + 1_011, "front-c", 1_000, 10);
    expect(lapsed.map((u) => u.id).sort()).toEqual(y.map((u) => u.id).sort());
    expect(
      await b.integrations.finishUpload(
        y[0]!.id,
        "front-b",
        { status: "completed", attempts: 1, lastError: "" },
        t + 1_020,
      ),
    ).toBe(false);
    const failed = await b.integrations.failOpenUploads(id, "needs_reauth", t + 1_030);
    expect(failed.map((u) => u.id).sort()).toEqual([second!.id, ...y.map((u) => u.id), `upl_${name}_5`].sort());
    expect(
      await a.integrations.finishUpload(
        y[0]!.id,
        "front-c",
        { status: "completed", attempts: 1, lastError: "" },
        t + 1_040,
      ),
    ).toBe(false);
    const listed = await a.integrations.listUploads(id, 10);
    expect(listed.map((u) => u.id)).toEqual([5, 4, 3, 2, 1].map((n) => `upl_${name}_${n}`));
    for (const u of listed)
      expect([u.status, u.lastError]).toEqual(u.id === first!.id ? ["completed", ""] : ["failed", "needs_reauth"]);
    expect(listed.find((u) => u.id === first!.id)).toMatchObject({
      remotePath: "/AI Images/a.png",
      attempts: 1,
      updatedAt: t + 20,
    });
    expect(await a.integrations.claimDueUploads(t + 10_000_000, "front-d", 1_000, 10)).toEqual([]);
  });
});
