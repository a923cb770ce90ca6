import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { GenerationSchema, GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { createLogger } from "@imagegen/server-kit";
import { describe, expect, it } from "vitest";
import { openSqlite } from "../store/open-sqlite.ts";
import { createIntegrations, type IntegrationsOptions } from "./integrations.ts";
import { SqliteIntegrationStore } from "./sqlite-integration-store.ts";

const options = (env: NodeJS.ProcessEnv): IntegrationsOptions => ({
  store: new SqliteIntegrationStore(openSqlite(":memory:")),
  images: { listImages: async () => [] },
  readImage: async () => new Uint8Array(),
  emit: () => undefined,
  dataDir: mkdtempSync(join(tmpdir(), "integrations-")),
  env,
  logger: createLogger("test"),
  holder: "test",
});
const DROPBOX = { DROPBOX_APP_KEY: "k", DROPBOX_APP_SECRET: "s" };

describe("createIntegrations", () => {
  it("refuses to start with shared state (DATABASE_URL), a configured service and no IMAGEGEN_SECRETS_KEY", () => {
    expect(() => createIntegrations(options({ ...DROPBOX, DATABASE_URL: "postgres://x/y" }))).toThrow(
      /IMAGEGEN_SECRETS_KEY must be set/,
    );
  });

  it.each([
    ["one machine (a key generated into the data dir)", { ...DROPBOX }],
    [
      "shared state with the key",
      { ...DROPBOX, DATABASE_URL: "postgres://x/y", IMAGEGEN_SECRETS_KEY: "0123456789abcdef" },
    ],
    ["shared state and no service configured", { DATABASE_URL: "postgres://x/y" }],
  ])("starts on %s", (_, env) => {
    const integrations = createIntegrations(options(env));
    integrations.stop();
  });
});

describe("generationFinished", () => {
  // A Dropbox that refuses connections (port 9): uploads stay queued, nothing leaves the machine.
  const LOCAL_DROPBOX = {
    ...DROPBOX,
    DROPBOX_API_URL: "http://127.0.0.1:9",
    DROPBOX_CONTENT_URL: "http://127.0.0.1:9",
    DROPBOX_WEB_URL: "http://127.0.0.1:9",
  };
  const image = { id: "img_1", generationId: "gen_1", owner: "owner_1", index: 0, path: "gen_1/img_1.png" };
  const finished = () =>
    create(GenerationSchema, { id: "gen_1", status: GenerationStatus.COMPLETED, model: "m", prompt: "p" });

  it("reads a generation's images only for an owner with an active auto-upload integration, and queues them", async () => {
    const reads: string[] = [];
    const base = options(LOCAL_DROPBOX);
    const integrations = createIntegrations({
      ...base,
      images: {
        listImages: async (generationId) => {
          reads.push(generationId);
          return [{ ...image, width: 1, height: 1, sizeBytes: 1, format: "png" }];
        },
      },
    });
    try {
      await base.store.insert({
        id: "int_1",
        owner: "owner_1",
        service: "dropbox",
        accountId: "a",
        accountName: "A",
        accountEmail: "a@example.com",
        settings: { autoUpload: true, folderPath: "/AI", fileNaming: "{id}" },
        status: "active",
        sealedTokens: "sealed",
        connectedAt: 1,
      });
      integrations.generationFinished(finished(), "owner_2");
      await new Promise((r) => setTimeout(r, 50));
      expect(reads).toEqual([]);
      integrations.generationFinished(finished(), "owner_1");
      for (let i = 0; i < 100 && (await base.store.listUploads("int_1", 10)).length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(reads).toEqual(["gen_1"]);
      expect((await base.store.listUploads("int_1", 10)).map((u) => [u.imageId, u.blobPath])).toEqual([
        ["img_1", "gen_1/img_1.png"],
      ]);
    } finally {
      integrations.stop();
    }
  });
});
