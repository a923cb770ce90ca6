import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeReplicate } from "../../services/providers/replicate/test/fake-replicate.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Seed 001 against the real Replicate provider process pointed at the fake Replicate: model
// references pass through, and Replicate's errors come back in the document's string form.
const REPLICATE_TOKEN = "r8_seed001-SECRET-token-0123456789";
let system: RunningSystem;
let replicate: Awaited<ReturnType<typeof startFakeReplicate>>;

beforeAll(async () => {
  replicate = await startFakeReplicate({ token: REPLICATE_TOKEN, waitScale: 0.05 });
  system = await startSystem(
    { REPLICATE_API_KEY: REPLICATE_TOKEN, REPLICATE_BASE_URL: replicate.baseUrl, IMAGEGEN_POLL_INTERVAL_MS: "20" },
    { providers: ["replicate"] },
  );
  await waitForReplicate(40_000);
}, 90_000);
afterAll(async () => {
  await system?.stop();
  await replicate?.close();
});

// The front describes its providers at start: wait until it has seen Replicate.
async function waitForReplicate(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${system.baseUrl}/api/v2/models/flux-schnell`, {
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    if (((await res.json()) as { model?: { status?: string } }).model?.status === "active") return;
    if (Date.now() > deadline) throw new Error(`replicate never became usable\n${system.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function generate(model: string) {
  const res = await fetch(`${system.baseUrl}/api/v1/images/generate`, {
    method: "POST",
    headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      model,
      prompt: "a futuristic city skyline at sunset",
      num_images: 2,
      width: 512,
      height: 512,
    }),
  });
  return { status: res.status, text: await res.text() };
}

describe("seed 001 against Replicate", () => {
  it("passes an owner/name reference outside the catalog through to Replicate's official-model endpoint", async () => {
    const before = replicate.creates.length;
    const res = await generate("stability-ai/stable-diffusion-3.5-large");
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { image_urls: string[] };
    expect(res.text).toBe(
      JSON.stringify({
        image_urls: body.image_urls,
        prompt: "a futuristic city skyline at sunset",
        model: "stability-ai/stable-diffusion-3.5-large",
      }),
    );
    expect(body.image_urls).toHaveLength(2);
    for (const url of body.image_urls) expect(url.startsWith(`${system.baseUrl}/images/`)).toBe(true);
    const create = replicate.creates.slice(before)[0];
    expect(create?.path).toBe("/v1/models/stability-ai/stable-diffusion-3.5-large/predictions");
    expect((create?.json as { input: Record<string, unknown> } | undefined)?.input).toMatchObject({
      prompt: "a futuristic city skyline at sunset",
      width: 512,
      height: 512,
      num_outputs: 2,
    });
  });

  it("sends an owner/name:version reference by version; Replicate's 422 comes back in the document's form", async () => {
    const version = "0".repeat(64);
    const before = replicate.creates.length;
    const res = await generate(`someone/some-model:${version}`);
    expect(replicate.creates.slice(before).map((c) => [c.path, (c.json as { version?: string }).version])).toEqual([
      ["/v1/predictions", version],
    ]);
    expect(res).toEqual({
      status: 422,
      text: JSON.stringify({
        error:
          "ReplicateError Details:\ntitle: Invalid version or not permitted\nstatus: 422\ndetail: The specified version does not exist (or perhaps you don't have permission to use it?)",
      }),
    });
  });

  it("the seed's own model id reaches Replicate (404 there: not an official model) and says so", async () => {
    const res = await generate("ibm-granite/granite-3.0-8b-instruct");
    expect(res).toEqual({
      status: 422,
      text: JSON.stringify({
        error:
          "ReplicateError Details:\ntitle: Not Found\nstatus: 404\ndetail: The model ibm-granite/granite-3.0-8b-instruct does not exist or is not an official model",
      }),
    });
  });

  it("Replicate refusing our token (401) is our credential: 502, Replicate's title and status, our detail", async () => {
    replicate.script({ kind: "status", status: 401 });
    const res = await generate("stability-ai/stable-diffusion-3.5-large");
    expect(res).toEqual({
      status: 502,
      text: JSON.stringify({
        error:
          "ReplicateError Details:\ntitle: Unauthenticated\nstatus: 401\ndetail: provider replicate refused this service's credentials or billing (HTTP 401); an operator must fix the replicate configuration — nothing is wrong with your request",
      }),
    });
    expect(res.text).not.toContain(REPLICATE_TOKEN);
  });
});

describe("seed 000 against Replicate", () => {
  it("relays Replicate's own words next to our reason in the envelope's details", async () => {
    replicate.script({ kind: "status", status: 500 });
    const res = await fetch(`${system.baseUrl}/api/generate/replicate`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${system.adminKey}`,
        "content-type": "application/json",
        "x-request-id": "req_seed000",
      },
      body: JSON.stringify({ prompt: "a red fox", model: "flux-schnell", width: 1024, height: 1024 }),
    });
    expect(res.status).toBe(502);
    expect(await res.text()).toBe(
      JSON.stringify({
        error: {
          type: "provider_error",
          code: "UPSTREAM_UNAVAILABLE",
          message: "provider replicate is unavailable (HTTP 500)",
          details: {
            provider: "replicate",
            upstream_status: "500",
            upstream_title: "Internal server error",
            upstream_message: "Something went wrong",
          },
          request_id: "req_seed000",
          documentation_url: `${system.baseUrl}/docs/errors#UPSTREAM_UNAVAILABLE`,
        },
      }),
    );
  });
});
