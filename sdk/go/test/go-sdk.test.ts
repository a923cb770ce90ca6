import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "../../../gateway/test/start-system.ts";
import { isPng, replaceOnce, seedSnippet } from "../../test-support/seed-snippets.ts";

const run = promisify(execFile);
// Debian's Go (golang-go, .ci/debian-packages.txt). Nothing may be fetched: the SDK has no
// dependencies and the programs below reach it through a replace directive.
const GO = "/usr/bin/go";
const SDK_DIR = join(import.meta.dirname, "..");

let system: RunningSystem;
let scratch: string;
let goEnv: Record<string, string>;

/** Builds a main package (its source files) against sdk/go and returns the binary's path. */
async function build(name: string, main: string): Promise<string> {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "go.mod"), `module example.com/${name}\n\ngo 1.19\n\nrequire github.com/imagegen/imagegen-go v0.0.0\n\nreplace github.com/imagegen/imagegen-go => ${SDK_DIR}\n`);
  writeFileSync(join(dir, "main.go"), main);
  try {
    await run(GO, ["build", "-o", join(dir, name), "."], { cwd: dir, env: goEnv, timeout: 240_000 });
  } catch (error) {
    throw new Error(`go build ${name} failed:\n${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  return join(dir, name);
}

const seedProgram = (key: string) => replaceOnce(seedSnippet("go"), '"your_api_key"', JSON.stringify(key));

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "imagegen-sdk-go-"));
  goEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? scratch,
    GOFLAGS: "-mod=mod",
    GOPROXY: "off",
    GOTOOLCHAIN: "local",
    GOCACHE: join(tmpdir(), "imagegen-sdk-go-cache"),
    GOPATH: join(scratch, "gopath"),
  };
  system = await startSystem();
}, 120_000);

afterAll(async () => {
  await system?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("Go SDK (sdk/go)", () => {
  it("passes go vet and its unit tests (httptest servers on loopback)", async () => {
    await run(GO, ["vet", "./..."], { cwd: SDK_DIR, env: goEnv, timeout: 240_000 });
    const { stdout } = await run(GO, ["test", "-count=1", "./..."], { cwd: SDK_DIR, env: goEnv, timeout: 240_000 }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`go test failed:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
    });
    expect(stdout).toMatch(/^ok\s+github\.com\/imagegen\/imagegen-go\s/m);
  }, 240_000);

  it("builds seed 004's Go snippet with a replace directive; it prints a URL that serves a PNG", async () => {
    const binary = await build("seed", seedProgram(system.adminKey));
    const { stdout } = await run(binary, [], { env: { IMAGEGEN_BASE_URL: system.baseUrl }, timeout: 120_000 });
    const url = /^Generated image: (\S+)$/.exec(stdout.trim())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const image = await fetch(url!);
    expect(image.status).toBe(200);
    expect(isPng(new Uint8Array(await image.arrayBuffer()))).toBe(true);
  }, 240_000);

  it("with a bad key the snippet's error is an *imagegen.Error, status 401, code UNAUTHORIZED", async () => {
    const binary = await build("badkey", seedProgram("not-a-real-key"));
    const failed = await run(binary, [], { env: { IMAGEGEN_BASE_URL: system.baseUrl }, timeout: 120_000 }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain("panic: imagegen: UNAUTHORIZED (401)");
  }, 240_000);

  it("watch, wait, idempotency, errors and the other namespaces work against the running system", async () => {
    const program = `package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/imagegen/imagegen-go"
)

func main() {
	ctx := context.Background()
	client := imagegen.NewClient(os.Getenv("KEY"), imagegen.WithBaseURL(os.Getenv("BASE")))
	out := map[string]any{}
	pending, err := client.Generate.TextToImage(&imagegen.TextToImageRequest{Prompt: "a lighthouse", Model: "local", Parameters: &imagegen.GenerationParameters{Width: 256, Height: 256}}, imagegen.WithRespondAsync())
	check(err)
	var types []string
	check(client.Generations.Watch(ctx, pending.ID, func(e *imagegen.GenerationEvent) error { types = append(types, e.Type); return nil }))
	out["last"] = types[len(types)-1]
	done, err := client.Generations.Wait(pending.ID)
	check(err)
	out["done"] = done.Status
	request := &imagegen.TextToImageRequest{Prompt: "one paid generation", Model: "local", Parameters: &imagegen.GenerationParameters{Width: 64, Height: 64}}
	first, err := client.Generate.TextToImage(request, imagegen.WithIdempotencyKey("go-e2e-replay-1"))
	check(err)
	again, err := client.Generate.TextToImage(request, imagegen.WithIdempotencyKey("go-e2e-replay-1"))
	check(err)
	out["replayed"] = first.ID == again.ID
	_, err = client.Generate.TextToImage(&imagegen.TextToImageRequest{Prompt: "p", Model: "local", Parameters: &imagegen.GenerationParameters{Width: 100}})
	if e, ok := imagegen.AsError(err); ok {
		out["invalid"] = []any{e.Status, e.Code, e.Details["field"]}
	}
	models, err := client.Models.List(ctx, "")
	check(err)
	var ids []string
	for _, m := range models.Models {
		ids = append(ids, m.ID)
	}
	out["models"] = ids
	collection, err := client.Collections.Create(ctx, &imagegen.CreateCollectionRequest{Name: "Go e2e"})
	check(err)
	check(client.Collections.Delete(ctx, collection.Collection.ID))
	secret, err := client.Webhooks.DefaultSecret(ctx)
	check(err)
	out["secret"] = secret.Secret[:6]
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
`;
    const binary = await build("namespaces", program);
    const { stdout } = await run(binary, [], { env: { KEY: system.adminKey, BASE: system.baseUrl }, timeout: 120_000 });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ last: "completed", done: "completed", replayed: true, secret: "whsec_" });
    expect(seen.invalid).toEqual([400, "INVALID_REQUEST", expect.stringContaining("width")]);
    expect(seen.models).toContain("local");
  }, 240_000);
});
