import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocsHandler } from "./docs-handler.ts";
import type { OpenApiDocument } from "./openapi-document.ts";

// The served /openapi.json through the checkers partners' CI gates and generators are built on:
// Redocly's recommended ruleset and swagger-parser's validation.
const run = promisify(execFile);
const REDOCLY = join(import.meta.dirname, "../../../node_modules/.bin/redocly");
// Redocly reports usage and looks for updates over the network unless told not to.
const OFFLINE = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };

let server: Server;
let served: OpenApiDocument;
const dir = mkdtempSync(join(tmpdir(), "openapi-lint-"));

beforeAll(async () => {
  const handler = createDocsHandler({ publicUrl: "https://images.example.com/" });
  server = createServer((req, res) => void handler(req, res, new URL(req.url ?? "/", "http://edge")));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  served = (await (
    await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`)
  ).json()) as OpenApiDocument;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the served OpenAPI document", () => {
  it("names this deployment in servers (IMAGEGEN_PUBLIC_URL) and its licence by SPDX id", () => {
    expect(served.servers).toEqual([{ url: "https://images.example.com", description: expect.any(String) }]);
    expect(served.info.license).toEqual({ name: "Apache License 2.0", identifier: "Apache-2.0" });
  });

  it("passes `redocly lint` with the recommended ruleset: no errors", async () => {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(served));
    const { stdout } = await run(REDOCLY, ["lint", file, "--extends", "recommended", "--format", "json"], {
      env: OFFLINE,
      timeout: 60_000,
    }).catch((e: { stdout: string; stderr: string }) => e);
    const report = JSON.parse(stdout) as {
      totals: { errors: number };
      problems: Array<{ ruleId: string; severity: string; message: string }>;
    };
    expect(report.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 90_000);

  it("passes swagger-parser's validation (schema and $refs)", async () => {
    await expect(SwaggerParser.validate(structuredClone(served) as never)).resolves.toBeTruthy();
  });

  it("rejects a document without servers or whose licence lacks an SPDX id or URL (the checks can fail)", async () => {
    const broken = { ...structuredClone(served), info: { ...served.info, license: { name: "Proprietary" } } };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow(/info\/license/);
    const file = join(dir, "no-servers.json");
    writeFileSync(file, JSON.stringify({ ...served, servers: undefined }));
    const failed = await run(REDOCLY, ["lint", file, "--extends", "recommended", "--format", "json"], {
      env: OFFLINE,
      timeout: 60_000,
    }).then(
      () => undefined,
      (e: { stdout: string }) => JSON.parse(e.stdout) as { problems: Array<{ ruleId: string }> },
    );
    expect(failed?.problems.map((p) => p.ruleId)).toContain("no-empty-servers");
  }, 90_000);
});
