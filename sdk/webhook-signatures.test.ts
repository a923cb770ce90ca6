import { execFile } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "../gateway/test/start-system.ts";
import { ImageGenClient } from "./typescript/src/index.ts";

// The three SDKs' webhook verification against deliveries the running front signed: a request's
// own webhook_url (the owner's default whsec_ secret) and a registered webhook with seed 004's
// plain secret (its UTF-8 bytes).
const run = promisify(execFile);
const PLAIN_SECRET = "webhook_secret_key_123";

interface Delivery {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
/** One verification to make: a delivery, the secret to check it with, and whether it should pass. */
interface Case {
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly secret: string;
}

let system: RunningSystem;
let receiver: Server;
let scratch: string;
const deliveries: Delivery[] = [];
let cases: Case[] = [];
let expected: boolean[] = [];

const webhookHeaders = (d: Delivery): Record<string, string> =>
  Object.fromEntries(["webhook-id", "webhook-timestamp", "webhook-signature"].map((n) => [n, String(d.headers[n])]));

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      deliveries.push({ path: req.url ?? "", headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  system = await startSystem({ IMAGEGEN_FETCH_ALLOW_HOSTS: new URL(receiverUrl).host });
  scratch = mkdtempSync(join(tmpdir(), "imagegen-sdk-webhooks-"));

  const client = new ImageGenClient({ apiKey: system.adminKey, baseURL: system.baseUrl });
  await client.webhooks.create({
    url: `${receiverUrl}/registered`,
    events: ["generation.completed"],
    secret: PLAIN_SECRET,
  });
  const defaultSecret = (await client.webhooks.defaultSecret()).secret;
  await client.generate.textToImage({
    prompt: "a signed wren",
    model: "local",
    parameters: { width: 64, height: 64 },
    webhookUrl: `${receiverUrl}/adhoc`,
  });
  const deadline = Date.now() + 20_000;
  const find = (path: string) => deliveries.find((d) => d.path === path);
  while ((!find("/adhoc") || !find("/registered")) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const adhoc = find("/adhoc");
  const registered = find("/registered");
  if (!adhoc || !registered) throw new Error(`deliveries did not arrive: ${deliveries.map((d) => d.path).join(", ")}`);
  cases = [
    { body: adhoc.body, headers: webhookHeaders(adhoc), secret: defaultSecret },
    { body: registered.body, headers: webhookHeaders(registered), secret: PLAIN_SECRET },
    { body: adhoc.body, headers: webhookHeaders(adhoc), secret: PLAIN_SECRET },
    {
      body: registered.body.replace("a signed wren", "a forged wren"),
      headers: webhookHeaders(registered),
      secret: PLAIN_SECRET,
    },
  ];
  expected = [true, true, false, false];
  writeFileSync(join(scratch, "cases.json"), JSON.stringify(cases));
}, 120_000);

afterAll(async () => {
  await system?.stop();
  receiver?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("webhook verification in every SDK, against the front's own signatures", () => {
  it("the deliveries are seed 004's generation.completed events", () => {
    expect(JSON.parse(cases[0]!.body)).toMatchObject({
      event: "generation.completed",
      data: { prompt: expect.stringContaining("a signed wren") },
    });
    expect(cases[0]!.secret).toMatch(/^whsec_/);
  });

  it("TypeScript: ImageGenClient.verifyWebhook", async () => {
    const results = await Promise.all(
      cases.map((c) =>
        ImageGenClient.verifyWebhook(c.body, c.headers, c.secret).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(results).toEqual(expected);
  });

  it("Python: ImageGenClient.verify_webhook", async () => {
    const program = `import json, sys\nfrom imagegen import ImageGenClient, WebhookVerificationError\nfor case in json.load(open(sys.argv[1])):\n    try:\n        ImageGenClient.verify_webhook(case["body"].encode(), case["headers"], case["secret"])\n        print("true")\n    except WebhookVerificationError:\n        print("false")\n`;
    writeFileSync(join(scratch, "verify.py"), program);
    const { stdout } = await run("/usr/bin/python3", [join(scratch, "verify.py"), join(scratch, "cases.json")], {
      env: {
        PATH: process.env.PATH ?? "",
        PYTHONPATH: join(import.meta.dirname, "python"),
        PYTHONDONTWRITEBYTECODE: "1",
      },
    });
    expect(
      stdout
        .trim()
        .split("\n")
        .map((l) => l === "true"),
    ).toEqual(expected);
  });

  it("Go: imagegen.VerifyWebhook", async () => {
    const dir = join(scratch, "verify-go");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "go.mod"),
      `module example.com/verify\n\ngo 1.19\n\nrequire github.com/imagegen/imagegen-go v0.0.0\n\nreplace github.com/imagegen/imagegen-go => ${join(import.meta.dirname, "go")}\n`,
    );
    writeFileSync(
      join(dir, "main.go"),
      `package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/imagegen/imagegen-go"
)

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var cases []struct {
		Body    string            \`json:"body"\`
		Headers map[string]string \`json:"headers"\`
		Secret  string            \`json:"secret"\`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	for _, c := range cases {
		headers := http.Header{}
		for name, value := range c.Headers {
			headers.Set(name, value)
		}
		_, err := imagegen.VerifyWebhook([]byte(c.Body), headers, c.Secret)
		fmt.Println(err == nil)
	}
}
`,
    );
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? scratch,
      GOFLAGS: "-mod=mod",
      GOPROXY: "off",
      GOTOOLCHAIN: "local",
      GOCACHE: join(tmpdir(), "imagegen-sdk-go-cache"),
      GOPATH: join(scratch, "gopath"),
    };
    const { stdout } = await run("/usr/bin/go", ["run", ".", join(scratch, "cases.json")], {
      cwd: dir,
      env,
      timeout: 240_000,
    });
    expect(
      stdout
        .trim()
        .split("\n")
        .map((l) => l === "true"),
    ).toEqual(expected);
  }, 240_000);
});
