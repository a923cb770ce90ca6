import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@imagegen/server-kit";
import { startFakeDropbox, type FakeDropbox } from "../../test/fakes/fake-dropbox.ts";
import { startFakeGoogleDrive, type FakeGoogleDrive } from "../../test/fakes/fake-google-drive.ts";
import { openSqlite } from "../store/open-sqlite.ts";
import { DropboxClient } from "./dropbox-client.ts";
import { GoogleDriveClient } from "./google-drive-client.ts";
import type { IntegrationRecord, ServiceId, UploadRecord } from "./integration-store.ts";
import { openTokens, sealTokens } from "./integration-tokens.ts";
import { IntegrationUploader, type FinishedImage } from "./integration-uploader.ts";
import { SecretsBox } from "./secrets-box.ts";
import { SqliteIntegrationStore } from "./sqlite-integration-store.ts";
import type { StorageService } from "./storage-service.ts";

// The upload worker against the two fakes, on a real (in-memory SQLite) queue: every service
// behaviour the issue names, at unit speed. The whole chain through the gateway is in
// gateway/test/integrations.test.ts.
let dropbox: FakeDropbox;
let drive: FakeGoogleDrive;
beforeAll(async () => {
  [dropbox, drive] = [await startFakeDropbox(), await startFakeGoogleDrive()];
});
afterAll(async () => {
  await dropbox?.close();
  await drive?.close();
});

const box = SecretsBox.withKey(randomBytes(32));
const PNG = randomBytes(3000);
const AT = Date.UTC(2026, 11, 6, 9, 5, 7);
// Each image its own bytes (identical bytes under a taken name are a no-op at Dropbox).
const bytesOf = (blobPath: string): Buffer =>
  blobPath.endsWith("img_0.png") ? PNG : Buffer.concat([PNG, Buffer.from(blobPath)]);

interface Rig {
  readonly store: SqliteIntegrationStore;
  readonly uploader: IntegrationUploader;
  readonly events: Array<{ owner: string; event: string; data: Record<string, unknown> }>;
  readonly integration: IntegrationRecord;
  readonly service: StorageService;
}
const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.uploader.stop();
});

async function connect(
  id: ServiceId,
  settings: Partial<IntegrationRecord["settings"]> = {},
  readImage = async (path: string) => bytesOf(path),
): Promise<Rig> {
  const service: StorageService =
    id === "dropbox"
      ? new DropboxClient({
          appKey: dropbox.appKey,
          appSecret: dropbox.appSecret,
          apiUrl: dropbox.apiUrl,
          contentUrl: dropbox.contentUrl,
          webUrl: dropbox.webUrl,
        })
      : new GoogleDriveClient({
          clientId: drive.clientId,
          clientSecret: drive.clientSecret,
          oauthUrl: drive.oauthUrl,
          driveApiUrl: drive.driveUrl,
          accountsUrl: drive.accountsUrl,
        });
  const redirectUri = "https://app.example/callback";
  const code = id === "dropbox" ? dropbox.approve({ redirectUri }) : drive.approve({ redirectUri });
  const tokens = await service.exchangeCode({ code, redirectUri });
  const account = await service.account(tokens.accessToken);
  const store = new SqliteIntegrationStore(openSqlite(":memory:"));
  const integration: IntegrationRecord = {
    id: `int_${randomBytes(6).toString("hex")}`,
    owner: "owner_1",
    service: id,
    accountId: account.id,
    accountName: account.name,
    accountEmail: account.email,
    settings: {
      autoUpload: true,
      folderPath: `/AI Images ${randomBytes(3).toString("hex")}`,
      fileNaming: "{date}_{time}_{prompt_snippet}_{id}",
      ...settings,
    },
    status: "active",
    sealedTokens: sealTokens(box, tokens),
    connectedAt: Date.now(),
  };
  await store.insert(integration);
  const events: Rig["events"] = [];
  const uploader = new IntegrationUploader(
    store,
    new Map([[id, service]]),
    box,
    readImage,
    (owner, event, data) => events.push({ owner, event, data }),
    createLogger("test"),
    {
      holder: "test",
      pollMs: 50,
    },
  );
  const rig = { store, uploader, events, integration, service };
  rigs.push(rig);
  return rig;
}

const image = (n: number): FinishedImage => ({
  imageId: `img_${n}`,
  generationId: "gen_1",
  blobPath: `gen_1/img_${n}.png`,
  format: "png",
  model: "local-sd",
  prompt: "A Lighthouse at night, stormy sea!",
  index: n,
});

async function settled(rig: Rig, count: number): Promise<UploadRecord[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const uploads = await rig.store.listUploads(rig.integration.id, 100);
    if (uploads.length >= count && uploads.every((u) => u.status === "completed" || u.status === "failed"))
      return uploads;
    if (Date.now() > deadline) throw new Error(`uploads did not settle: ${JSON.stringify(uploads)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function queueAt(rig: Rig, images: FinishedImage[]): Promise<void> {
  // The image finished at AT: {date} and {time} are fixed.
  const realNow = Date.now;
  Date.now = () => AT;
  try {
    await rig.uploader.queue("owner_1", images);
  } finally {
    Date.now = realNow;
  }
  rig.uploader.start();
}

describe("Dropbox uploads", () => {
  it("puts the image in the folder (created) under the expanded name, with the exact bytes", async () => {
    const rig = await connect("dropbox");
    await queueAt(rig, [image(0)]);
    const [upload] = await settled(rig, 1);
    const expected = `${rig.integration.settings.folderPath}/2026-12-06_090507_a-lighthouse-at-night-stormy-sea_img_0.png`;
    expect(upload).toMatchObject({ status: "completed", remotePath: expected, attempts: 1, lastError: "" });
    expect(dropbox.files.get(expected.toLowerCase())?.bytes.equals(PNG)).toBe(true);
    expect(dropbox.folders.has(rig.integration.settings.folderPath.toLowerCase())).toBe(true);
  });

  it("never overwrites: a second image under a taken name is auto-renamed", async () => {
    const rig = await connect("dropbox", { fileNaming: "same" });
    await queueAt(rig, [image(0), image(1)]);
    const uploads = await settled(rig, 2);
    const folder = rig.integration.settings.folderPath;
    expect(uploads.map((u) => u.remotePath).sort()).toEqual([`${folder}/same (2).png`, `${folder}/same.png`].sort());
  });

  it("waits out a 429's Retry-After and then succeeds; attempts count the upload requests", async () => {
    const rig = await connect("dropbox");
    dropbox.fail("files/upload", { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await queueAt(rig, [image(0)]);
    const [upload] = await settled(rig, 1);
    expect(upload).toMatchObject({ status: "completed", attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("retries a 503 with backoff and succeeds", async () => {
    const rig = await connect("dropbox");
    dropbox.fail("files/upload", { status: 503 });
    await queueAt(rig, [image(0)]);
    expect((await settled(rig, 1))[0]).toMatchObject({ status: "completed", attempts: 2 });
  });

  it("refreshes an expired access token (401 expired_access_token) and uploads; the new token is sealed in the store", async () => {
    const rig = await connect("dropbox");
    dropbox.advance(4 * 3600 * 1000 + 1000);
    try {
      await queueAt(rig, [image(0)]);
      expect((await settled(rig, 1))[0]).toMatchObject({ status: "completed", attempts: 1 });
    } finally {
      dropbox.advance(-(4 * 3600 * 1000 + 1000));
    }
    // The first call (the folder) met the expired token; the refresh came next, then the upload.
    const calls = dropbox.calls.slice(
      dropbox.calls.findIndex((c) => c.route === "files/create_folder_v2" && c.status === 401),
    );
    expect(calls.slice(0, 4).map((c) => `${c.route} ${c.status}`)).toEqual([
      "files/create_folder_v2 401",
      "oauth2/token 200",
      "files/create_folder_v2 200",
      "files/upload 200",
    ]);
    const stored = (await rig.store.byId(rig.integration.id))!;
    expect(openTokens(box, stored.sealedTokens).accessToken).not.toBe(
      openTokens(box, rig.integration.sealedTokens).accessToken,
    );
    expect(stored.sealedTokens).not.toContain("sl.");
  });

  it("marks the integration needs_reauth when the refresh token is revoked, fails its uploads and fires the webhook event", async () => {
    const rig = await connect("dropbox");
    dropbox.unlinkAll();
    await queueAt(rig, [image(0), image(1)]);
    const uploads = await settled(rig, 2);
    expect(uploads.map((u) => [u.status, u.lastError])).toEqual([
      ["failed", "needs_reauth"],
      ["failed", "needs_reauth"],
    ]);
    expect((await rig.store.byId(rig.integration.id))!.status).toBe("needs_reauth");
    expect(rig.events.map((e) => [e.event, e.data.error, e.data.integration_id])).toEqual([
      ["integration.upload_failed", "needs_reauth", rig.integration.id],
      ["integration.upload_failed", "needs_reauth", rig.integration.id],
    ]);
  });
});

describe("two replicas on one queue", () => {
  it("upload each image exactly once between them", async () => {
    const rig = await connect("dropbox");
    // A second process on the same database file: its own connection, its own holder.
    const file = join(mkdtempSync(join(tmpdir(), "uploads-")), "imagegen.sqlite");
    const [storeA, storeB] = [
      new SqliteIntegrationStore(openSqlite(file)),
      new SqliteIntegrationStore(openSqlite(file)),
    ];
    await storeA.insert(rig.integration);
    const service = rig.service;
    const replica = (store: SqliteIntegrationStore, holder: string) =>
      new IntegrationUploader(
        store,
        new Map([["dropbox", service]]),
        box,
        async (path) => bytesOf(path),
        () => undefined,
        createLogger("test"),
        { holder, pollMs: 20 },
      );
    const [a, b] = [replica(storeA, "front-a"), replica(storeB, "front-b")];
    try {
      await a.queue(
        "owner_1",
        Array.from({ length: 12 }, (_, n) => image(n)),
      );
      a.start();
      b.start();
      const done = await settled({ ...rig, store: storeA }, 12);
      expect(done.every((u) => u.status === "completed" && u.attempts === 1)).toBe(true);
    } finally {
      a.stop();
      b.stop();
    }
    const folder = rig.integration.settings.folderPath;
    const answered = dropbox.calls.filter(
      (c) => c.route === "files/upload" && c.status === 200 && c.path?.startsWith(`${folder}/`),
    );
    expect(answered).toHaveLength(12);
    expect(new Set(answered.map((c) => c.path)).size).toBe(12);
  });
});

describe("Google Drive uploads", () => {
  it("creates the folder chain once and puts the image there with the exact bytes", async () => {
    const rig = await connect("google_drive", { folderPath: `/AI Images/${randomBytes(3).toString("hex")}` });
    await queueAt(rig, [image(0), image(1)]);
    const uploads = await settled(rig, 2);
    const folder = rig.integration.settings.folderPath;
    expect(uploads.map((u) => u.remotePath).sort()).toEqual(
      [0, 1].map((n) => `${folder}/2026-12-06_090507_a-lighthouse-at-night-stormy-sea_img_${n}.png`),
    );
    const stored = [...drive.files.values()].filter((f) => drive.pathOf(f).startsWith(`${folder}/`));
    const byName = new Map(stored.map((f) => [drive.pathOf(f), f]));
    for (const [n, upload] of uploads.sort((a, b) => a.remotePath.localeCompare(b.remotePath)).entries()) {
      const file = byName.get(upload.remotePath)!;
      expect([file.mimeType, file.bytes.equals(bytesOf(`gen_1/img_${n}.png`))]).toEqual(["image/png", true]);
    }
    expect(stored).toHaveLength(2);
    // One folder per level, not one per upload.
    expect([...drive.files.values()].filter((f) => f.name === folder.split("/").pop())).toHaveLength(1);
  });

  it("sends an image over 5 MB through a resumable session, byte-exact", async () => {
    const big = randomBytes(6 * 1024 * 1024 + 17);
    const rig = await connect("google_drive", {}, async () => big);
    await queueAt(rig, [image(0)]);
    const [upload] = await settled(rig, 1);
    expect(upload).toMatchObject({ status: "completed", attempts: 1 });
    const file = [...drive.files.values()].find((f) => drive.pathOf(f) === upload!.remotePath)!;
    expect(file.bytes.equals(big)).toBe(true);
    expect(drive.calls.filter((c) => c.route === "upload").slice(-2)).toEqual([
      { route: "upload", status: 200, uploadType: "resumable" },
      { route: "upload", status: 200, uploadType: "resumable" },
    ]);
  });

  it("backs off on 429 and on 403 userRateLimitExceeded, then succeeds", async () => {
    const rig = await connect("google_drive");
    drive.fail("upload", { status: 429, retryAfterSeconds: 1 });
    drive.fail("upload", { status: 403, reason: "userRateLimitExceeded" });
    await queueAt(rig, [image(0)]);
    expect((await settled(rig, 1))[0]).toMatchObject({ status: "completed", attempts: 3 });
  });

  it("refreshes after a 401 authError and uploads", async () => {
    const rig = await connect("google_drive");
    drive.advance(3600 * 1000);
    try {
      await queueAt(rig, [image(0)]);
      expect((await settled(rig, 1))[0]).toMatchObject({ status: "completed" });
    } finally {
      drive.advance(-3600 * 1000);
    }
  });

  it("marks needs_reauth on invalid_grant and fires the event", async () => {
    const rig = await connect("google_drive");
    drive.unlinkAll();
    drive.advance(3600 * 1000);
    try {
      await queueAt(rig, [image(0)]);
      expect((await settled(rig, 1))[0]).toMatchObject({ status: "failed", lastError: "needs_reauth" });
    } finally {
      drive.advance(-3600 * 1000);
    }
    expect((await rig.store.byId(rig.integration.id))!.status).toBe("needs_reauth");
    expect(rig.events.map((e) => e.event)).toEqual(["integration.upload_failed"]);
  });

  it("revoking ends the grant at Google", async () => {
    const rig = await connect("google_drive");
    await rig.service.revoke(openTokens(box, rig.integration.sealedTokens));
    await expect(rig.service.refresh(openTokens(box, rig.integration.sealedTokens).refreshToken)).rejects.toMatchObject(
      { failure: "reauth" },
    );
  });
});
