import type { FakeBehaviour } from "@imagegen/provider-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeReplicate } from "../../services/providers/replicate/test/fake-replicate.ts";
import { restClient } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Issue 23, as a new user tries it: SDXL with Replicate configured but failing comes back as
// Replicate's failure, uncharged, never as a 200 from the offline renderer; with no Replicate
// token at all, the offline stand-in serves it and says so. REST → gateway → front → replicate
// provider process → a fake api.replicate.com speaking Replicate's wire protocol.
const REPLICATE_TOKEN = "r8_honest-routing-SECRET-0123456789";
let replicate: Awaited<ReturnType<typeof startFakeReplicate>>;
let online: RunningSystem;
let offline: RunningSystem;

beforeAll(async () => {
  replicate = await startFakeReplicate({ token: REPLICATE_TOKEN, waitScale: 0.05 });
  [online, offline] = await Promise.all([
    startSystem(
      // A breaker that does not open within these few failures (each case reaches the vendor),
      // and a provider deadline a two-minute Retry-After does not fit in (so it is not waited out).
      {
        REPLICATE_API_TOKEN: REPLICATE_TOKEN,
        REPLICATE_BASE_URL: replicate.baseUrl,
        IMAGEGEN_POLL_INTERVAL_MS: "20",
        IMAGEGEN_BREAKER_FAILURES: "100",
        IMAGEGEN_PROVIDER_TIMEOUT_MS: "10000",
      },
      { providers: ["replicate"] },
    ),
    startSystem(),
  ]);
  const call = restClient(online);
  for (let waited = 0; waited < 40_000; waited += 250) {
    const { json } = await call(online.adminKey, "GET", "/api/v2/models/stable-diffusion-xl");
    if (json.model?.status === "active" && json.model?.providers?.[0] === "replicate") break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}, 90_000);
afterAll(async () => {
  await Promise.all([online?.stop(), offline?.stop()]);
  await replicate?.close();
});

const sdxl = {
  prompt: "a lighthouse",
  model: "stable-diffusion-xl",
  parameters: { width: 512, height: 512, seed: 1 },
  use_cache: false,
};

async function creditsRemaining(system: RunningSystem): Promise<number> {
  return (await restClient(system)(system.adminKey, "GET", "/api/v2/user/profile")).json.user.usage.credits_remaining;
}

describe("SDXL with a configured Replicate failing", () => {
  it.each<{ name: string; behaviour: FakeBehaviour; status: number; code: string; retryAfter?: string }>([
    {
      name: "401 (our credential refused)",
      behaviour: { kind: "status", status: 401 },
      status: 502,
      code: "UPSTREAM_AUTH",
    },
    {
      name: "429 asking for two minutes",
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 120 },
      status: 503,
      code: "UPSTREAM_RATE_LIMITED",
      retryAfter: "120",
    },
    { name: "garbage in a 201", behaviour: { kind: "malformed" }, status: 502, code: "UPSTREAM_BAD_RESPONSE" },
  ])(
    "$name → $status $code, nothing charged, never served by local",
    async ({ behaviour, status, code, retryAfter }) => {
      const call = restClient(online);
      const credits = await creditsRemaining(online);
      replicate.script(behaviour);
      const res = await call(online.adminKey, "POST", "/api/v2/generate/text-to-image", sdxl);
      expect(res.status, res.text).toBe(status);
      expect(res.json.error.code).toBe(code);
      expect(res.text).not.toContain(REPLICATE_TOKEN);
      if (retryAfter) expect(res.headers.get("retry-after")).toBe(retryAfter);
      const [latest] = (await call(online.adminKey, "GET", "/api/v2/generations?page_size=1")).json.generations;
      expect(latest).toMatchObject({ status: "failed", model: "stable-diffusion-xl", provider: "replicate" });
      expect(latest.images).toEqual([]);
      expect(await creditsRemaining(online)).toBe(credits);
    },
  );

  it("and served by Replicate once it answers, charged SDXL's price", async () => {
    const credits = await creditsRemaining(online);
    const res = await restClient(online)(online.adminKey, "POST", "/api/v2/generate/text-to-image", sdxl);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: "completed", provider: "replicate", cost: { credits: 1 } });
    expect(credits - (await creditsRemaining(online))).toBe(1);
  });

  it("no generation of the configured deployment was ever served by local", async () => {
    const { json } = await restClient(online)(online.adminKey, "GET", "/api/v2/generations?page_size=50");
    expect(json.generations.map((g: { provider: string }) => g.provider)).not.toContain("local");
  });
});

describe("SDXL with no Replicate token at all (the offline demo)", () => {
  it("is served by the offline stand-in, which the catalog and the generation name, free", async () => {
    const call = restClient(offline);
    const { json: model } = await call(offline.adminKey, "GET", "/api/v2/models/stable-diffusion-xl");
    expect(model.model).toMatchObject({
      status: "active",
      providers: ["local"],
      pricing: { per_image: 0, credits: 0 },
    });
    expect(model.model.status_reason).toMatch(
      /^offline stand-in: served by the local provider's local-procedural model, procedural renderer \(no AI model\),/,
    );
    const res = await call(offline.adminKey, "POST", "/api/v2/generate/text-to-image", {
      ...sdxl,
      parameters: { width: 64, height: 64, seed: 1 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      status: "completed",
      model: "stable-diffusion-xl",
      provider: "local",
      cost: { credits: 0, usd: 0 },
    });
  });

  it("refuses what the stand-in does not do for that model before any work: text-to-image on real-esrgan", async () => {
    const res = await restClient(offline)(offline.adminKey, "POST", "/api/v2/generate/text-to-image", {
      ...sdxl,
      model: "real-esrgan",
      parameters: { width: 64, height: 64 },
    });
    expect([res.status, res.json.error?.code]).toEqual([400, "UNSUPPORTED"]);
    const { json } = await restClient(offline)(offline.adminKey, "GET", "/api/v2/generations?page_size=50");
    expect(json.generations.filter((g: { model: string }) => g.model === "real-esrgan")).toEqual([]);
  });
});
