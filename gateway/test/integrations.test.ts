import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IntegrationService } from "@imagegen/proto/imagegen/v1/integration_service_pb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeDropbox, type FakeDropbox } from "../../services/front/test/fakes/fake-dropbox.ts";
import { startFakeGoogleDrive, type FakeGoogleDrive } from "../../services/front/test/fakes/fake-google-drive.ts";
import { restClient } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.ts";

// Issue 17 end to end: gateway + front + local provider as processes, Dropbox and Google Drive
// as fakes that speak their real wire protocols, every call through the public REST surface.
let system: RunningSystem;
let dropbox: FakeDropbox;
let drive: FakeGoogleDrive;
let receiver: WebhookReceiver;
let call: ReturnType<typeof restClient>;
const REDIRECT = "https://app.example/integrations/callback";

beforeAll(async () => {
  [dropbox, drive, receiver] = [await startFakeDropbox(), await startFakeGoogleDrive(), await startWebhookReceiver()];
  system = await startSystem({
    DROPBOX_APP_KEY: dropbox.appKey,
    DROPBOX_APP_SECRET: dropbox.appSecret,
    DROPBOX_API_URL: dropbox.apiUrl,
    DROPBOX_CONTENT_URL: dropbox.contentUrl,
    DROPBOX_WEB_URL: dropbox.webUrl,
    GOOGLE_CLIENT_ID: drive.clientId,
    GOOGLE_CLIENT_SECRET: drive.clientSecret,
    GOOGLE_OAUTH_URL: drive.oauthUrl,
    GOOGLE_DRIVE_API_URL: drive.driveUrl,
    GOOGLE_ACCOUNTS_URL: drive.accountsUrl,
    // A front killed mid-upload leaves its claims; after 3 s another start takes them.
    IMAGEGEN_UPLOAD_LEASE_MS: "3000",
    IMAGEGEN_FETCH_ALLOW_HOSTS: `127.0.0.1:${receiver.port}`,
  });
  call = restClient(system);
});
afterAll(async () => {
  await system?.stop();
  await dropbox?.close();
  await drive?.close();
  receiver?.close();
});

const admin = () => system.adminKey;
let folderCount = 0;
const freshFolder = () => `/AI Generated Images ${++folderCount}`;

/** The whole consent round trip: authorize-url → the service's page → its redirect → connect. */
async function connect(
  service: "dropbox" | "google_drive",
  settings: Record<string, unknown>,
  key = admin(),
): Promise<Record<string, any>> {
  const authorize = await call(
    key,
    "GET",
    `/api/v2/integrations/${service}/authorize-url?redirect_uri=${encodeURIComponent(REDIRECT)}`,
  );
  expect(authorize.status, authorize.text).toBe(200);
  const page = await fetch(authorize.json.url, { redirect: "manual" });
  const back = new URL(page.headers.get("location")!);
  expect(back.searchParams.get("state")).toBe(authorize.json.state);
  const res = await call(key, "POST", "/api/v2/integrations/connect", {
    service,
    auth_code: back.searchParams.get("code"),
    redirect_uri: REDIRECT,
    code_verifier: authorize.json.code_verifier,
    settings,
  });
  expect(res.status, res.text).toBe(201);
  return res.json.integration;
}

async function generate(prompt: string, outputs = 1): Promise<Record<string, any>> {
  const res = await call(admin(), "POST", "/api/v2/generate/text-to-image", {
    prompt,
    model: "local",
    parameters: { width: 64, height: 64, num_outputs: outputs },
  });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

async function uploadsSettled(id: string, count: number, ms = 20_000): Promise<Array<Record<string, any>>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await call(admin(), "GET", `/api/v2/integrations/${id}/uploads`);
    const uploads = (res.json?.uploads ?? []) as Array<Record<string, any>>;
    if (uploads.length >= count && uploads.every((u) => u.status === "completed" || u.status === "failed"))
      return uploads;
    if (Date.now() > deadline) throw new Error(`uploads did not settle: ${res.text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function imageBytes(url: string): Promise<Buffer> {
  const res = await fetch(url.startsWith("http") ? url : system.baseUrl + url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const today = () => new Date().toISOString().slice(0, 10);

describe("integrations", () => {
  // Each test sees only its own integrations: the earlier ones are disconnected first.
  beforeEach(async () => {
    for (const i of (await call(admin(), "GET", "/api/v2/integrations")).json.integrations) {
      if (i.status !== "disconnected")
        expect((await call(admin(), "DELETE", `/api/v2/integrations/${i.id}`)).status).toBe(204);
    }
  });

  it("lists both services as available when the operator configured them", async () => {
    const res = await call(admin(), "GET", "/api/v2/integrations/services");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      services: [
        { id: "dropbox", name: "Dropbox", available: true },
        { id: "google_drive", name: "Google Drive", available: true },
      ],
    });
  });

  it("authorize-url asks Dropbox for offline access with PKCE (S256 of the verifier it returns)", async () => {
    const res = await call(
      admin(),
      "GET",
      `/api/v2/integrations/dropbox/authorize-url?redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    const url = new URL(res.json.url);
    expect(url.origin + url.pathname).toBe(`${dropbox.webUrl}/oauth2/authorize`);
    const { createHash } = await import("node:crypto");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: dropbox.appKey,
      response_type: "code",
      token_access_type: "offline",
      code_challenge: createHash("sha256").update(res.json.code_verifier).digest("base64url"),
      code_challenge_method: "S256",
      state: res.json.state,
      redirect_uri: REDIRECT,
    });
  });

  it("connects Dropbox with seed 004's request; every image of a generation arrives with the expanded name and the exact bytes", async () => {
    const folder = freshFolder();
    const integration = await connect("dropbox", {
      auto_upload: true,
      folder_path: folder,
      file_naming: "{date}_{prompt_snippet}_{id}",
    });
    expect(integration).toEqual({
      id: expect.stringMatching(/^int_/),
      service: "dropbox",
      account: { id: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", name: "Ada Lovelace", email: "ada@example.com" },
      settings: { auto_upload: true, folder_path: folder, file_naming: "{date}_{prompt_snippet}_{id}" },
      status: "active",
      connected_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const generation = await generate("A lighthouse at night, stormy sea", 2);
    const uploads = await uploadsSettled(integration.id, 2);
    for (const image of generation.images) {
      const path = `${folder}/${today()}_a-lighthouse-at-night-stormy-sea_${image.id}.png`;
      expect(uploads.find((u) => u.image_id === image.id)).toMatchObject({
        status: "completed",
        remote_path: path,
        attempts: 1,
        last_error: "",
        generation_id: generation.id,
      });
      expect(dropbox.files.get(path.toLowerCase())?.bytes.equals(await imageBytes(image.url))).toBe(true);
    }
    expect(dropbox.folders.has(folder.toLowerCase())).toBe(true);
    const listed = await call(admin(), "GET", "/api/v2/integrations");
    expect(listed.json.integrations.map((i: { id: string }) => i.id)).toContain(integration.id);
    expect((await call(admin(), "GET", `/api/v2/integrations/${integration.id}`)).json).toEqual({ integration });
  });

  it("waits out Dropbox's 429 (Retry-After) and then uploads; attempts count the requests", async () => {
    const integration = await connect("dropbox", { folder_path: freshFolder() });
    dropbox.fail("files/upload", { status: 429, retryAfterSeconds: 1 });
    await generate("a kite");
    const [upload] = await uploadsSettled(integration.id, 1);
    expect(upload).toMatchObject({ status: "completed", attempts: 2 });
  });

  it("refreshes an expired Dropbox access token with the refresh token and uploads", async () => {
    const integration = await connect("dropbox", { folder_path: freshFolder() });
    dropbox.advance(5 * 3600 * 1000);
    try {
      await generate("a heron");
      expect((await uploadsSettled(integration.id, 1))[0]).toMatchObject({ status: "completed" });
    } finally {
      dropbox.advance(-5 * 3600 * 1000);
    }
    expect(dropbox.calls.some((c) => c.route === "oauth2/token" && c.status === 200)).toBe(true);
  });

  it("marks the integration needs_reauth when the refresh token is revoked; its uploads fail with the integration.upload_failed event", async () => {
    const hook = await call(admin(), "POST", "/api/v2/webhooks", {
      url: `${receiver.url}/uploads`,
      events: ["integration.upload_failed"],
    });
    expect(hook.status, hook.text).toBe(201);
    const integration = await connect("dropbox", { folder_path: freshFolder() });
    dropbox.unlinkAll();
    dropbox.advance(5 * 3600 * 1000);
    try {
      await generate("a wren");
      const [upload] = await uploadsSettled(integration.id, 1);
      expect(upload).toMatchObject({ status: "failed", last_error: "needs_reauth" });
      expect((await call(admin(), "GET", `/api/v2/integrations/${integration.id}`)).json.integration.status).toBe(
        "needs_reauth",
      );
      const deadline = Date.now() + 15_000;
      while (!receiver.received.some((r) => r.path === "/uploads") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const delivery = JSON.parse(receiver.received.find((r) => r.path === "/uploads")!.body);
      expect(delivery.event).toBe("integration.upload_failed");
      expect(delivery.data).toEqual({
        integration_id: integration.id,
        service: "dropbox",
        upload_id: upload!.id,
        image_id: upload!.image_id,
        generation_id: upload!.generation_id,
        error: "needs_reauth",
      });
    } finally {
      dropbox.advance(-5 * 3600 * 1000);
      await call(admin(), "DELETE", `/api/v2/webhooks/${hook.json.webhook.id}`);
    }
  });

  it("connects Google Drive and uploads into the folder it creates, with the exact bytes", async () => {
    const integration = await connect("google_drive", {
      folder_path: "/Renders/Night",
      file_naming: "{model}-{index}-{generation_id}",
    });
    expect(integration.account).toEqual({ id: "01234567890123456789", name: "Ada Lovelace", email: "ada@example.com" });
    drive.fail("upload", { status: 503 });
    const generation = await generate("an owl");
    const [upload] = await uploadsSettled(integration.id, 1);
    expect(upload).toMatchObject({
      status: "completed",
      remote_path: `/Renders/Night/local-0-${generation.id}.png`,
      attempts: 2,
    });
    const file = [...drive.files.values()].find((f) => drive.pathOf(f) === upload!.remote_path)!;
    expect(file.bytes.equals(await imageBytes(generation.images[0].url))).toBe(true);
  });

  it("disconnect revokes the token at the service, answers 204, and nothing is uploaded after it", async () => {
    const before = dropbox.revoked.size;
    const integration = await connect("dropbox", { folder_path: freshFolder() });
    const res = await call(admin(), "DELETE", `/api/v2/integrations/${integration.id}`);
    expect([res.status, res.text]).toEqual([204, ""]);
    expect(dropbox.revoked.size).toBe(before + 1);
    expect((await call(admin(), "GET", `/api/v2/integrations/${integration.id}`)).json.integration.status).toBe(
      "disconnected",
    );
    await generate("a swan");
    await new Promise((r) => setTimeout(r, 1500));
    expect((await call(admin(), "GET", `/api/v2/integrations/${integration.id}/uploads`)).json).toEqual({
      uploads: [],
    });
    const googleBefore = drive.revoked.size;
    const google = await connect("google_drive", {});
    expect((await call(admin(), "DELETE", `/api/v2/integrations/${google.id}`)).status).toBe(204);
    expect(drive.revoked.size).toBe(googleBefore + 1);
  });

  it("uploads a processed image (filters) too, under its process id", async () => {
    const folder = freshFolder();
    const integration = await connect("dropbox", { folder_path: folder, file_naming: "{prompt_snippet}_{id}" });
    const generation = await generate("a fox");
    const processed = await call(admin(), "POST", "/api/v2/process/filters", {
      image_url: generation.images[0].url,
      filters: [{ type: "grayscale" }],
    });
    expect(processed.status, processed.text).toBe(200);
    const uploads = await uploadsSettled(integration.id, 2);
    const fromFilter = uploads.find((u) => u.generation_id === processed.json.id)!;
    expect(fromFilter).toMatchObject({
      status: "completed",
      image_id: processed.json.id,
      remote_path: `${folder}/image_${processed.json.id}.png`,
    });
    expect(
      dropbox.files
        .get(fromFilter.remote_path.toLowerCase())
        ?.bytes.equals(await imageBytes(processed.json.processed_image.url)),
    ).toBe(true);
  });

  it("serves the same RPCs over gRPC and Connect", async () => {
    const integration = await connect("google_drive", { auto_upload: false });
    const grpc = createClient(IntegrationService, createGrpcTransport({ baseUrl: system.baseUrl }));
    const got = await grpc.getIntegration({ id: integration.id }, { headers: { authorization: `Bearer ${admin()}` } });
    expect([got.integration?.service, got.integration?.status, got.integration?.settings?.autoUpload]).toEqual([
      "google_drive",
      "active",
      false,
    ]);
    const res = await fetch(`${system.baseUrl}/imagegen.v1.IntegrationService/ListIntegrationServices`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin()}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(await res.json()).toEqual({
      services: [
        { id: "dropbox", name: "Dropbox", available: true },
        { id: "google_drive", name: "Google Drive", available: true },
      ],
    });
  });

  it("is owner-scoped, validated, and answers seed 004's errors", async () => {
    const integration = await connect("dropbox", { auto_upload: false });
    const other = await call(admin(), "POST", "/api/v2/admin/keys", {
      owner: "someone-else",
      name: "other",
      tier: "pro",
    });
    const secret = other.json.secret as string;
    for (const [method, path] of [
      ["GET", `/api/v2/integrations/${integration.id}`],
      ["GET", `/api/v2/integrations/${integration.id}/uploads`],
      ["PATCH", `/api/v2/integrations/${integration.id}`],
      ["DELETE", `/api/v2/integrations/${integration.id}`],
    ] as const) {
      const res = await call(
        secret,
        method,
        path,
        method === "PATCH" ? { settings: { auto_upload: true } } : undefined,
      );
      expect([method, path, res.status, res.json?.error?.code]).toEqual([method, path, 404, "NOT_FOUND"]);
    }
    expect((await call(secret, "GET", "/api/v2/integrations")).json).toEqual({ integrations: [] });
    const patched = await call(admin(), "PATCH", `/api/v2/integrations/${integration.id}`, {
      settings: { file_naming: "{time}_{id}" },
    });
    expect(patched.json.integration.settings).toEqual({
      auto_upload: false,
      folder_path: "/imagegen",
      file_naming: "{time}_{id}",
    });
    const bad = await call(admin(), "PATCH", `/api/v2/integrations/${integration.id}`, {
      settings: { file_naming: "{nope}" },
    });
    expect([bad.status, bad.json.error.code]).toEqual([400, "INVALID_REQUEST"]);
    expect(bad.json.error.message).toContain("{nope}");
    const unknown = await call(admin(), "POST", "/api/v2/integrations/connect", { service: "box", auth_code: "x" });
    expect([unknown.status, unknown.json.error.code]).toEqual([400, "INVALID_REQUEST"]);
    const refused = await call(admin(), "POST", "/api/v2/integrations/connect", {
      service: "dropbox",
      auth_code: "not-a-code",
    });
    expect([refused.status, refused.json.error.code]).toEqual([400, "INVALID_REQUEST"]);
    expect(refused.json.error.message).toContain("invalid_grant");
  });

  it("uploads queued when the front is killed are all done, once each, after it restarts", async () => {
    const folder = freshFolder();
    const integration = await connect("dropbox", { folder_path: folder });
    dropbox.holdUploads();
    const generation = await generate("a lantern", 3);
    // Wait until the first upload is on the wire (held by Dropbox), the others queued behind it.
    const deadline = Date.now() + 15_000;
    while (
      !(await call(admin(), "GET", `/api/v2/integrations/${integration.id}/uploads`)).json.uploads.some(
        (u: { status: string }) => u.status === "uploading",
      )
    ) {
      if (Date.now() > deadline) throw new Error("no upload started");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    await system.kill("front", "SIGKILL");
    // Dropbox notices the dropped connection and stores nothing of the held upload.
    await new Promise((r) => setTimeout(r, 300));
    dropbox.releaseUploads();
    system.restart("front");
    const uploads = await uploadsSettled(integration.id, 3, 40_000);
    expect(uploads.map((u) => u.status)).toEqual(["completed", "completed", "completed"]);
    const stored = [...dropbox.files.values()].filter((f) => f.pathDisplay.startsWith(`${folder}/`));
    expect(stored.map((f) => f.name).sort()).toEqual(
      generation.images.map((i: { id: string }) => `${today()}_a-lantern_${i.id}.png`).sort(),
    );
    // Once each: three upload requests were answered 200 for this folder, one per image.
    const answered = dropbox.calls.filter(
      (c) => c.route === "files/upload" && c.status === 200 && c.path?.startsWith(`${folder}/`),
    );
    expect(answered.map((c) => c.path).sort()).toEqual(stored.map((f) => f.pathDisplay).sort());
    for (const image of generation.images) {
      expect(stored.find((f) => f.name.endsWith(`${image.id}.png`))!.bytes.equals(await imageBytes(image.url))).toBe(
        true,
      );
    }
  });

  it("never shows a service token in a response, a log line, or the database file", async () => {
    const tokens = [...dropbox.issued, ...drive.issued];
    expect(tokens.length).toBeGreaterThan(10);
    const output = system.output();
    const files = readdirSync(system.dataDir).filter((f) => f.startsWith("imagegen.sqlite"));
    const database = Buffer.concat(files.map((f) => readFileSync(join(system.dataDir, f)))).toString("latin1");
    const listed = (await call(admin(), "GET", "/api/v2/integrations")).text;
    for (const token of tokens) {
      expect(output.includes(token)).toBe(false);
      expect(database.includes(token)).toBe(false);
      expect(listed.includes(token)).toBe(false);
    }
  });
});
