import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeA1111 } from "../../services/providers/automatic1111/test/fake-automatic1111.ts";
import { startFakeOpenAi } from "../../services/providers/openai/test/fake-openai.ts";
import { startFakeOpenRouter } from "../../services/providers/openrouter/test/fake-openrouter.ts";
import { startFakeStability } from "../../services/providers/stability/test/fake-stability.ts";
import { expectOurImages, generateThroughRest } from "./support/provider-generations.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// The whole chain — gateway REST → front → provider process → fake vendor over loopback — for
// the four providers whose vendors answer in the call (OpenAI, Stability, OpenRouter, A1111).
const OPENAI_KEY = "sk-e2e-SECRET-openai-0123456789";
const STABILITY_KEY = "sk-e2e-SECRET-stability-0123456789";
const OPENROUTER_KEY = "sk-or-e2e-SECRET-0123456789";
const A1111_AUTH = "webui:e2e-SECRET-password";
let system: RunningSystem;
let openai: Awaited<ReturnType<typeof startFakeOpenAi>>;
let stability: Awaited<ReturnType<typeof startFakeStability>>;
let openrouter: Awaited<ReturnType<typeof startFakeOpenRouter>>;
let a1111: Awaited<ReturnType<typeof startFakeA1111>>;

beforeAll(async () => {
  [openai, stability, openrouter, a1111] = await Promise.all([
    startFakeOpenAi({ token: OPENAI_KEY }),
    startFakeStability({ token: STABILITY_KEY }),
    startFakeOpenRouter({ token: OPENROUTER_KEY }),
    startFakeA1111({ credential: A1111_AUTH }),
  ]);
  system = await startSystem(
    {
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.baseUrl,
      STABILITY_API_KEY: STABILITY_KEY,
      STABILITY_BASE_URL: stability.baseUrl,
      OPENROUTER_API_KEY: OPENROUTER_KEY,
      OPENROUTER_BASE_URL: openrouter.baseUrl,
      A1111_BASE_URL: a1111.baseUrl,
      A1111_USERNAME: "webui",
      A1111_PASSWORD: "e2e-SECRET-password",
    },
    { providers: ["openai", "stability", "openrouter", "automatic1111"] },
  );
  // The front describes each provider with a short deadline; on a loaded machine the first look
  // can miss one, and the next refresh finds it. Start once all four serve their models.
  await waitForActive([
    "gpt-image-1",
    "stable-image-ultra",
    "gemini-2.5-flash-image",
    "stable-diffusion-1.5",
    "dall-e-3",
  ]);
});

async function waitForActive(ids: readonly string[]): Promise<void> {
  let inactive: string[] = [...ids];
  for (let attempt = 0; attempt < 100 && inactive.length; attempt++) {
    const res = await fetch(`${system.baseUrl}/api/v2/models`, {
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    const models = res.ok
      ? (((await res.json()) as { models?: Array<{ id: string; status: string }> }).models ?? [])
      : [];
    inactive = ids.filter((id) => models.find((m) => m.id === id)?.status !== "active");
    if (inactive.length) await new Promise((resolve) => setTimeout(resolve, 300));
  }
  expect(inactive, "models never became active").toEqual([]);
}
afterAll(async () => {
  await system?.stop();
  await Promise.all([openai?.close(), stability?.close(), openrouter?.close(), a1111?.close()]);
});

describe("generation through the OpenAI, Stability, OpenRouter and A1111 provider services", () => {
  const cases = [
    {
      name: "openai gpt-image-1 (base64)",
      model: "gpt-image-1",
      parameters: { width: 1024, height: 1024, num_outputs: 2 },
      format: "png",
      provider: "openai",
      images: 2,
    },
    {
      name: "stability ultra (multipart, raw image bytes)",
      model: "stable-image-ultra",
      parameters: { width: 1344, height: 768 },
      format: "png",
      provider: "stability",
      images: 1,
    },
    {
      name: "openrouter gemini (chat completions, data URL)",
      model: "gemini-2.5-flash-image",
      parameters: { width: 1024, height: 1024 },
      format: "png",
      provider: "openrouter",
      images: 1,
    },
    {
      name: "automatic1111 behind HTTP Basic (txt2img)",
      model: "stable-diffusion-1.5",
      parameters: { width: 512, height: 512, num_outputs: 2 },
      format: "png",
      provider: "automatic1111",
      images: 2,
    },
  ];
  const fakes = () =>
    ({ openai, stability, openrouter, automatic1111: a1111 }) as Record<
      string,
      { baseUrl: string; submissions(): number }
    >;
  for (const c of cases) {
    it(`generates with ${c.name}, storing the images in our own store`, async () => {
      const fake = fakes()[c.provider]!;
      const before = fake.submissions();
      const { status, json } = await generateThroughRest(system, {
        prompt: "a lighthouse at dusk",
        model: c.model,
        parameters: c.parameters,
        output: { format: c.format },
      });
      expect(status, JSON.stringify(json)).toBe(200);
      expect(json).toMatchObject({ status: "completed", model: c.model, provider: c.provider });
      await expectOurImages(system, json, c.images, fake.baseUrl);
      expect(fake.submissions() - before).toBe(1);
    });
  }

  it("falls back from OpenAI answering 503 to OpenRouter for dall-e-3, and says which served", async () => {
    openai.script({ kind: "status", status: 503, times: Infinity });
    const openAiBefore = openai.submissions();
    try {
      const { status, json } = await generateThroughRest(system, {
        prompt: "a lighthouse",
        model: "dall-e-3",
        parameters: { width: 1024, height: 1024 },
        output: { format: "png" },
      });
      expect(status, JSON.stringify(json)).toBe(200);
      expect(json).toMatchObject({ status: "completed", provider: "openrouter" });
      expect(openai.submissions() - openAiBefore).toBe(1);
      await expectOurImages(system, json, 1, openrouter.baseUrl);
    } finally {
      openai.reset();
    }
  });

  it("never lets a provider credential into the logs", () => {
    const output = system.output();
    expect(output).toContain("provider-openai");
    for (const secret of [OPENAI_KEY, STABILITY_KEY, OPENROUTER_KEY, A1111_AUTH, "e2e-SECRET-password"])
      expect(output).not.toContain(secret);
  });
});
