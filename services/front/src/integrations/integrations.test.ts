import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
