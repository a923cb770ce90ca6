import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "../../../gateway/test/start-system.ts";
import { isPng, replaceOnce, seedSnippet } from "../../test-support/seed-snippets.ts";
import { ImageGenClient, ImageGenError } from "../src/index.ts";

const run = promisify(execFile);
const SDK_DIR = join(import.meta.dirname, "..");
/** Runs npm: the one running `npm test` when there is one, else the npm on PATH. */
const npm = (args: string[], cwd: string) =>
  process.env.npm_execpath?.endsWith(".js")
    ? run(process.execPath, [process.env.npm_execpath, ...args], { cwd, timeout: 120_000 })
    : run("npm", args, { cwd, timeout: 120_000 });

let system: RunningSystem;
let project: string;

/** Runs an ES module in the temp project (which has only the packed SDK installed). */
async function runModule(
  name: string,
  source: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  writeFileSync(join(project, name), source);
  return run(process.execPath, [name], { cwd: project, env: { ...process.env, ...env }, timeout: 120_000 });
}

beforeAll(async () => {
  system = await startSystem();
  // The done-when check: `npm pack` (prepack builds dist/) and install into an empty directory
  // outside the repository, offline — the tarball must be complete on its own.
  project = mkdtempSync(join(tmpdir(), "imagegen-sdk-ts-"));
  await npm(["pack", "--pack-destination", project], SDK_DIR);
  const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "sdk-e2e", private: true, type: "module" }));
  await npm(["install", "--offline", "--no-audit", "--no-fund", `./${tarball}`], project);
}, 240_000);

afterAll(async () => {
  await system?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("@imagegen/sdk from its packed tarball, against the running system", () => {
  it("runs seed 004's JavaScript snippet: it prints a URL that serves a PNG", async () => {
    let source = replaceOnce(seedSnippet("javascript"), "'your_api_key'", JSON.stringify(system.adminKey));
    source = replaceOnce(source, "'https://api.imagegen.app'", JSON.stringify(system.baseUrl));
    const { stdout } = await runModule("seed.mjs", source);
    const url = stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const image = await fetch(url);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(isPng(new Uint8Array(await image.arrayBuffer()))).toBe(true);
  });

  it("its types check the seed's call as TypeScript (strict), from the tarball's exports", async () => {
    const source = `${seedSnippet("javascript")}\nconst width: number = result.images[0].width;\nconst code: string | undefined = undefined as unknown as import('@imagegen/sdk').ImageGenError['code'];\nexport { width, code };\n`;
    writeFileSync(join(project, "seed.ts"), source);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          lib: ["es2022", "dom"],
          types: [],
        },
        files: ["seed.ts"],
      }),
    );
    const tsc = join(import.meta.dirname, "..", "..", "..", "node_modules", ".bin", "tsc");
    await run(tsc, ["-p", "tsconfig.json"], { cwd: project, timeout: 120_000 }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed on the seed snippet:\n${error.stdout ?? ""}`);
    });
    // And a mistake is caught: numOutputs must be a number.
    writeFileSync(join(project, "seed.ts"), source.replace("numOutputs: 1", "numOutputs: 'one'"));
    const failed = await run(tsc, ["-p", "tsconfig.json"], { cwd: project, timeout: 120_000 }).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? "",
    );
    const line = source.split("\n").findIndex((l) => l.includes("numOutputs")) + 1;
    expect(failed).toMatch(new RegExp(`^seed\\.ts\\(${line},\\d+\\): error TS2322`, "m"));
  });

  it("with a bad key the snippet throws ImageGenError, status 401, code UNAUTHORIZED", async () => {
    let source = replaceOnce(seedSnippet("javascript"), "'your_api_key'", JSON.stringify("not-a-real-key"));
    source = replaceOnce(source, "'https://api.imagegen.app'", JSON.stringify(system.baseUrl));
    const wrapped = `import { ImageGenError } from '@imagegen/sdk';\ntry {\n${source.replace(/^import .*$/m, "const { ImageGenClient } = await import('@imagegen/sdk');")}\n} catch (error) {\n  console.log(JSON.stringify({ isImageGenError: error instanceof ImageGenError, status: error.status, code: error.code, type: error.type, requestId: error.requestId }));\n}\n`;
    const { stdout } = await runModule("bad-key.mjs", wrapped);
    const seen = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(seen).toMatchObject({
      isImageGenError: true,
      status: 401,
      code: "UNAUTHORIZED",
      type: "authentication_error",
    });
    expect(seen.requestId).toMatch(/\S/);
  });

  it("runs the React component's call with the key from the environment and IMAGEGEN_BASE_URL", async () => {
    const call = seedSnippet("jsx");
    const source = `import { ImageGenClient } from '@imagegen/sdk';\nconst prompt = 'a red bicycle';\n${call}\nconsole.log(JSON.stringify(result.images.map((img) => ({ id: img.id, url: img.url, width: img.width }))));\n`;
    const { stdout } = await runModule("react-call.mjs", source, {
      REACT_APP_IMAGEGEN_API_KEY: system.adminKey,
      IMAGEGEN_BASE_URL: system.baseUrl,
    });
    const images = JSON.parse(stdout.trim()) as { id: string; url: string; width: number }[];
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ id: expect.stringMatching(/^img_/), width: 1024 });
  });
});

describe("the SDK's namespaces against the running system", () => {
  const client = () => new ImageGenClient({ apiKey: system.adminKey, baseURL: system.baseUrl });

  it("respondAsync + watch streams the generation to its end; wait returns it finished", async () => {
    const pending = await client().generate.textToImage(
      { prompt: "a lighthouse", model: "local", parameters: { width: 256, height: 256 } },
      { respondAsync: true },
    );
    expect(pending.id).toMatch(/^gen_/);
    const types: string[] = [];
    for await (const event of client().generations.watch(pending.id)) types.push(event.type);
    expect(types.at(-1)).toBe("completed");
    const done = await client().generations.wait(pending.id);
    expect(done).toMatchObject({ id: pending.id, status: "completed", operation: "text-to-image" });
    expect(done.images[0]?.sizeBytes).toBeGreaterThan(0);
    expect((await client().generations.get(pending.id)).status).toBe("completed");
  });

  it("an Idempotency-Key replays the first generation instead of making a second", async () => {
    const request = { prompt: "one paid generation", model: "local", parameters: { width: 64, height: 64 } };
    const first = await client().generate.textToImage(request, { idempotencyKey: "sdk-e2e-replay-1" });
    const again = await client().generate.textToImage(request, { idempotencyKey: "sdk-e2e-replay-1" });
    expect(again.id).toBe(first.id);
    const mismatch = await client()
      .generate.textToImage({ ...request, prompt: "another" }, { idempotencyKey: "sdk-e2e-replay-1" })
      .catch((e: unknown) => e);
    expect(mismatch).toMatchObject({ status: 422, code: "IDEMPOTENCY_MISMATCH" });
  });

  it("an answer lost on the way back is retried with the same Idempotency-Key: one generation, one image counted", async () => {
    let dropped = 0;
    // The server makes the generation and answers; this fetch then loses the answer, the way a
    // connection cut after the server committed would.
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith("/text-to-image") && dropped++ === 0) {
        await response.arrayBuffer();
        throw new TypeError("fetch failed: socket hang up");
      }
      return response;
    };
    const before = (await client().user.profile()).user?.usage?.imagesGeneratedToday;
    const prompt = `lost answer ${Date.now()}`;
    const result = await new ImageGenClient({
      apiKey: system.adminKey,
      baseURL: system.baseUrl,
      fetch: lossy,
    }).generate.textToImage({ prompt, model: "local", parameters: { width: 64, height: 64 } });
    expect(dropped).toBe(2);
    const mine = (await client().generations.list({ pageSize: 50 })).generations.filter((g) =>
      g.prompt.includes(prompt),
    );
    expect(mine.map((g) => g.id)).toEqual([result.id]);
    const after = (await client().user.profile()).user?.usage?.imagesGeneratedToday;
    expect(after! - before!).toBe(1);
  });

  it("a validation error names the field in camelCase details", async () => {
    const error = await client()
      .generate.textToImage({ prompt: "p", model: "local", parameters: { width: 100 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageGenError);
    expect(error).toMatchObject({ status: 400, code: "INVALID_REQUEST", type: "validation_error" });
    expect((error as ImageGenError).details.field).toContain("width");
  });

  it("models, profile, collections and the default webhook secret answer camelCase", async () => {
    const models = await client().models.list();
    expect(models.models.map((m) => m.id)).toContain("local");
    expect((await client().models.get("local")).model?.id).toBe("local");
    const profile = await client().user.profile();
    expect(profile.user?.usage?.imagesGeneratedToday).toBeGreaterThanOrEqual(0);
    const created = await client().collections.create({ name: "SDK e2e", isPublic: false });
    expect(created.collection?.itemCount).toBe(0);
    await client().collections.delete(created.collection!.id);
    await expect(client().collections.get(created.collection!.id)).rejects.toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
    const secret = await client().webhooks.defaultSecret();
    expect(secret.secret).toMatch(/^whsec_/);
  });
});
