/**
 * Runs the partner examples against a started system, exactly as their headers tell a partner
 * to: the TypeScript clients (Connect and gRPC), the Python grpcio client with stubs generated
 * by buf.gen.partners.yaml, and the curl scripts. CI installs the Debian packages they need.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "../gateway/test/start-system.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const buf = createRequire(import.meta.url).resolve("@bufbuild/buf/bin/buf");
// Debian's interpreter: python3-grpcio and python3-protobuf install for it, not for a pyenv one.
const PYTHON = "/usr/bin/python3";
const NEEDED = ["/usr/bin/protoc", "/usr/bin/grpc_python_plugin", PYTHON];

let system: RunningSystem;
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const missing = NEEDED.filter((path) => !existsSync(path));
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(", ")}: apt-get install -y protobuf-compiler protobuf-compiler-grpc python3-grpcio python3-protobuf (.ci/debian-packages.txt)`,
    );
  }
  tmp = mkdtempSync(join(tmpdir(), "imagegen-examples-"));
  if (!existsSync(join(ROOT, "build", "proto-deps")))
    await run(process.execPath, ["--import", "tsx", "scripts/proto-deps.ts"], { cwd: ROOT });
  // Into a temp dir (-o), so a developer's build/partner-stubs is left alone.
  await run(buf, ["generate", "--template", "buf.gen.partners.yaml", "-o", tmp], { cwd: ROOT });
  system = await startSystem();
  env = {
    ...process.env,
    IMAGEGEN_URL: system.baseUrl,
    IMAGEGEN_GRPC_TARGET: `127.0.0.1:${system.port}`,
    IMAGEGEN_API_KEY: system.adminKey,
    IMAGEGEN_MODEL: "local",
    IMAGEGEN_PY_STUBS: join(tmp, "build", "partner-stubs", "python"),
  };
}, 120_000);

afterAll(async () => {
  await system?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The JSON lines an example printed, by step. */
function steps(stdout: string): Record<string, any> {
  return Object.fromEntries(
    stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .map((o) => [o.step, o]),
  );
}

describe("partner examples against a running system", () => {
  it("the Python grpcio client generates an image over gRPC with stubs from proto/", async () => {
    const { stdout } = await run(PYTHON, [join(ROOT, "examples/python/generate_image.py")], { env, cwd: ROOT });
    const s = steps(stdout);
    expect(s.generated).toMatchObject({
      status: "GENERATION_STATUS_COMPLETED",
      urls: [expect.stringContaining("/images/")],
    });
    expect(s.downloaded).toMatchObject({ png: true });
    expect(s.downloaded.bytes).toBeGreaterThan(100);
  });

  it("the Python client names the error reason when the key is wrong", async () => {
    const failed = await run(PYTHON, [join(ROOT, "examples/python/generate_image.py")], {
      env: { ...env, IMAGEGEN_API_KEY: "wrong-key" },
      cwd: ROOT,
    }).catch((error: { code: number; stdout: string }) => error);
    expect("code" in failed && failed.code).toBe(1);
    expect(steps(failed.stdout).error).toMatchObject({ reason: "UNAUTHORIZED" });
  });

  it("the TypeScript Connect client generates an image", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/typescript/connect-client.ts"], {
      env,
      cwd: ROOT,
    });
    expect(steps(stdout).generated).toMatchObject({ status: "COMPLETED", urls: [expect.any(String)] });
  });

  it("the TypeScript gRPC client watches the generation to completion", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/typescript/grpc-client.ts"], {
      env,
      cwd: ROOT,
    });
    const s = steps(stdout);
    expect(s.accepted.id).toMatch(/^gen_/);
    expect(s.generated).toMatchObject({ id: s.accepted.id, status: "COMPLETED" });
    expect(s.generated.urls).toHaveLength(2);
  });

  it("the curl scripts generate, fetch the generation and the image, and show the error envelope", async () => {
    const first = await run("bash", ["examples/curl/text-to-image.sh"], { env, cwd: ROOT });
    expect(first.stdout).toMatch(/"status":"completed"/);
    expect(first.stdout).toMatch(/image: 200 image\/png \d+ bytes/);
    const second = await run("bash", ["examples/curl/models-and-errors.sh"], { env, cwd: ROOT });
    expect(second.stdout).toMatch(/"code":"INVALID_REQUEST"[\s\S]*HTTP 400/);
    expect(second.stdout).toMatch(/"code":"UNAUTHORIZED"[\s\S]*HTTP 401/);
  });
});
