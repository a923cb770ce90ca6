import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { OUTPUT_FILE } from "./plugin.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..", "..");
const buf = createRequire(import.meta.url).resolve("@bufbuild/buf/bin/buf");
const tmp = mkdtempSync(join(tmpdir(), "openapi-plugin-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Only this plugin, the way buf.gen.yaml runs it, into a temp dir.
const template = JSON.stringify({
  version: "v2",
  inputs: [{ directory: ".", exclude_paths: ["build/proto-deps/buf"] }],
  plugins: [
    { local: ["node", "--import", "tsx", "packages/protoc-gen-openapi/src/main.ts"], out: "openapi", strategy: "all" },
  ],
});

describe("protoc-gen-openapi run by buf", () => {
  it("writes exactly the committed packages/proto/openapi/openapi.json (run `npm run generate` when this fails)", async () => {
    if (!existsSync(join(ROOT, "build", "proto-deps")))
      await run(process.execPath, ["--import", "tsx", "scripts/proto-deps.ts"], { cwd: ROOT });
    // The plugin's `node` must be this Node (24), not whatever comes first on the PATH.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
    await run(buf, ["generate", "--template", template, "-o", tmp], { cwd: ROOT, env });
    const generated = readFileSync(join(tmp, "openapi", OUTPUT_FILE), "utf8");
    expect(generated).toBe(readFileSync(join(ROOT, "packages", "proto", "openapi", OUTPUT_FILE), "utf8"));
  });
});
