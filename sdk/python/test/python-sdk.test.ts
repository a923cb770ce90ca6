import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "../../../gateway/test/start-system.ts";
import { isPng, replaceOnce, seedSnippet } from "../../test-support/seed-snippets.ts";

const run = promisify(execFile);
// Debian's interpreter (and its pip and setuptools), as CI installs them (.ci/debian-packages.txt).
const PYTHON = "/usr/bin/python3";
const SDK_DIR = join(import.meta.dirname, "..");

let system: RunningSystem;
let scratch: string;

/** Runs a Python program (stdin-free), failing with its output when it exits non-zero. */
async function python(source: string, env: Record<string, string>, cwd = scratch): Promise<string> {
  const file = join(scratch, `program-${Math.random().toString(36).slice(2)}.py`);
  writeFileSync(file, source);
  try {
    const { stdout } = await run(PYTHON, [file], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 120_000 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`python failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

const seedProgram = (key: string) => replaceOnce(seedSnippet("python"), '"your_api_key"', JSON.stringify(key));

/** Every "Generated image: <url>" URL serves a PNG. */
async function expectPngUrls(stdout: string, count: number): Promise<void> {
  const urls = stdout.trim().split("\n").map((line) => /^Generated image: (\S+)$/.exec(line)?.[1]);
  expect(urls).toHaveLength(count);
  for (const url of urls) {
    const image = await fetch(url!);
    expect(image.status).toBe(200);
    expect(isPng(new Uint8Array(await image.arrayBuffer()))).toBe(true);
  }
}

beforeAll(async () => {
  system = await startSystem();
  scratch = mkdtempSync(join(tmpdir(), "imagegen-sdk-py-"));
}, 120_000);

afterAll(async () => {
  await system?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("Python SDK (sdk/python)", () => {
  it("passes its unit tests (unittest, a scripted HTTP server on loopback)", async () => {
    const result = await run(PYTHON, ["-m", "unittest", "discover", "-s", "tests"], { cwd: SDK_DIR, env: { PATH: process.env.PATH ?? "", PYTHONPATH: SDK_DIR, PYTHONDONTWRITEBYTECODE: "1" }, timeout: 120_000 }).catch(
      (error: { stderr?: string }) => ({ stdout: "", stderr: `FAILED\n${error.stderr ?? ""}` }),
    );
    expect(result.stderr).toMatch(/\nOK\s*$/);
  });

  it("runs seed 004's Python snippet with PYTHONPATH=sdk/python: two URLs that serve PNGs", async () => {
    const stdout = await python(seedProgram(system.adminKey), { PYTHONPATH: SDK_DIR, IMAGEGEN_BASE_URL: system.baseUrl, PYTHONDONTWRITEBYTECODE: "1" });
    await expectPngUrls(stdout, 2);
  });

  it("runs it after `pip install --no-build-isolation` (offline, Debian's pip and setuptools) into a target dir", async () => {
    // Install from a copy: pip builds in the source tree and would leave build/ behind in the repo.
    const source = join(scratch, "sdk-python");
    cpSync(SDK_DIR, source, { recursive: true, filter: (path) => !/(__pycache__|\.egg-info|\/build|\/test)$/.test(path) });
    const target = join(scratch, "site");
    await run(PYTHON, ["-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-index", "--target", target, source], { timeout: 120_000, env: { PATH: process.env.PATH ?? "", PIP_DISABLE_PIP_VERSION_CHECK: "1" } });
    const stdout = await python(seedProgram(system.adminKey), { PYTHONPATH: target, IMAGEGEN_BASE_URL: system.baseUrl });
    await expectPngUrls(stdout, 2);
    const where = await python("import imagegen; print(imagegen.__file__)", { PYTHONPATH: target });
    expect(where.trim().startsWith(target)).toBe(true);
  });

  it("with a bad key the snippet raises ImageGenError, status 401, code UNAUTHORIZED", async () => {
    const program = `import json\nfrom imagegen import ImageGenError\ntry:\n${seedProgram("not-a-real-key").replace(/^/gm, "    ")}\nexcept ImageGenError as error:\n    print(json.dumps({"status": error.status, "code": error.code, "type": error.type, "request_id": error.request_id}))\n`;
    const seen = JSON.parse(await python(program, { PYTHONPATH: SDK_DIR, IMAGEGEN_BASE_URL: system.baseUrl, PYTHONDONTWRITEBYTECODE: "1" })) as Record<string, unknown>;
    expect(seen).toMatchObject({ status: 401, code: "UNAUTHORIZED", type: "authentication_error" });
    expect(seen.request_id).toMatch(/\S/);
  });

  it("watch, wait, idempotency and the other namespaces work against the running system", async () => {
    const program = `
import json
from imagegen import ImageGenClient, ImageGenError
client = ImageGenClient(api_key=${JSON.stringify(system.adminKey)}, base_url=${JSON.stringify(system.baseUrl)})
pending = client.generate.text_to_image(prompt="a lighthouse", model="local", parameters={"width": 256, "height": 256}, respond_async=True)
types = [event.type for event in client.generations.watch(pending.id)]
done = client.generations.wait(pending.id)
request = {"prompt": "one paid generation", "model": "local", "parameters": {"width": 64, "height": 64}}
first = client.generate.text_to_image(request, idempotency_key="py-e2e-replay-1")
again = client.generate.text_to_image(request, idempotency_key="py-e2e-replay-1")
try:
    client.generate.text_to_image(prompt="p", model="local", parameters={"width": 100})
    invalid = None
except ImageGenError as error:
    invalid = [error.status, error.code, error.details.get("field")]
collection = client.collections.create(name="Python e2e").collection
client.collections.delete(collection.id)
print(json.dumps({
    "last": types[-1], "done": done.status, "replayed": first.id == again.id, "invalid": invalid,
    "models": [m.id for m in client.models.list().models], "secret": client.webhooks.default_secret().secret[:6],
    "profile": client.user.profile().user.usage.images_generated_today >= 0,
}))
`;
    const seen = JSON.parse(await python(program, { PYTHONPATH: SDK_DIR, PYTHONDONTWRITEBYTECODE: "1" })) as Record<string, unknown>;
    expect(seen).toMatchObject({ last: "completed", done: "completed", replayed: true, secret: "whsec_", profile: true });
    expect(seen.invalid).toEqual([400, "INVALID_REQUEST", expect.stringContaining("width")]);
    expect(seen.models).toContain("local");
  });
});
