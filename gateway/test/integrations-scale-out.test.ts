import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeDropbox, type FakeDropbox } from "../../services/front/test/fakes/fake-dropbox.ts";
import { startPostgres, startRedis, type TestServer } from "../../services/front/test/state-servers.ts";
import { restClient } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Two instances with separate data dirs over one PostgreSQL (and one IMAGEGEN_SECRETS_KEY): an
// integration connected through one is used by the other, and uploads a dead front left behind
// are finished, once, by the live one.
let postgres: TestServer;
let redis: TestServer;
let dropbox: FakeDropbox;
let a: RunningSystem;
let b: RunningSystem;
let callA: ReturnType<typeof restClient>;
let callB: ReturnType<typeof restClient>;
let key: string;

beforeAll(async () => {
  [postgres, redis, dropbox] = await Promise.all([startPostgres(), startRedis(), startFakeDropbox()]);
  const env = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    IMAGEGEN_URL_SIGNING_KEY: randomBytes(32).toString("base64"),
    IMAGEGEN_SECRETS_KEY: randomBytes(32).toString("base64"),
    DROPBOX_APP_KEY: dropbox.appKey,
    DROPBOX_APP_SECRET: dropbox.appSecret,
    DROPBOX_API_URL: dropbox.apiUrl,
    DROPBOX_CONTENT_URL: dropbox.contentUrl,
    DROPBOX_WEB_URL: dropbox.webUrl,
    IMAGEGEN_UPLOAD_LEASE_MS: "3000",
  };
  a = await startSystem(env);
  b = await startSystem(env);
  [callA, callB] = [restClient(a), restClient(b)];
  const created = await callA(a.adminKey, "POST", "/api/v2/admin/keys", {
    owner: "integrations-scale-out",
    tier: "pro",
  });
  expect(created.status, created.text).toBe(201);
  key = created.json.secret as string;
}, 180_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([postgres?.stop(), redis?.stop(), dropbox?.close()]);
});

describe("integrations over two instances", () => {
  it("connects through A, and B finishes the uploads A's killed front left, each file once", async () => {
    const redirect = "https://app.example/cb";
    const authorize = await callA(
      key,
      "GET",
      `/api/v2/integrations/dropbox/authorize-url?redirect_uri=${encodeURIComponent(redirect)}`,
    );
    const back = new URL((await fetch(authorize.json.url, { redirect: "manual" })).headers.get("location")!);
    const connected = await callA(key, "POST", "/api/v2/integrations/connect", {
      service: "dropbox",
      auth_code: back.searchParams.get("code"),
      redirect_uri: redirect,
      code_verifier: authorize.json.code_verifier,
      settings: { folder_path: "/Shared", file_naming: "{id}" },
    });
    expect(connected.status, connected.text).toBe(201);
    const id = connected.json.integration.id as string;
    expect((await callB(key, "GET", `/api/v2/integrations/${id}`)).json.integration.status).toBe("active");

    dropbox.holdUploads();
    const generation = await callA(key, "POST", "/api/v2/generate/text-to-image", {
      prompt: "a harbour",
      model: "local",
      parameters: { width: 64, height: 64, num_outputs: 2 },
    });
    expect(generation.status, generation.text).toBe(200);
    const deadline = Date.now() + 15_000;
    while (
      !(await callB(key, "GET", `/api/v2/integrations/${id}/uploads`)).json.uploads.some(
        (u: { status: string }) => u.status === "uploading",
      )
    ) {
      if (Date.now() > deadline) throw new Error("no upload started");
      await new Promise((r) => setTimeout(r, 50));
    }
    await a.kill("front", "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    dropbox.releaseUploads();

    let uploads: Array<Record<string, any>> = [];
    const settle = Date.now() + 30_000;
    while (Date.now() < settle) {
      uploads = (await callB(key, "GET", `/api/v2/integrations/${id}/uploads`)).json.uploads;
      if (uploads.length === 2 && uploads.every((u) => u.status === "completed")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(uploads.map((u) => u.status)).toEqual(["completed", "completed"]);
    const answered = dropbox.calls.filter(
      (c) => c.route === "files/upload" && c.status === 200 && c.path?.startsWith("/Shared/"),
    );
    expect(answered.map((c) => c.path).sort()).toEqual(
      generation.json.images.map((i: { id: string }) => `/Shared/${i.id}.png`).sort(),
    );
    for (const image of generation.json.images as Array<{ id: string; url: string }>) {
      const parsed = new URL(image.url);
      const bytes = Buffer.from(await (await fetch(`${b.baseUrl}${parsed.pathname}${parsed.search}`)).arrayBuffer());
      expect(dropbox.files.get(`/shared/${image.id}.png`.toLowerCase())?.bytes.equals(bytes)).toBe(true);
    }
  });
});
