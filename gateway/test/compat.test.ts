import OpenAI, { AuthenticationError, BadRequestError, toFile } from "openai";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bombPng, openAiMask, samplePng, startImageHost } from "./compat-fixtures.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
let imageHost: Awaited<ReturnType<typeof startImageHost>>;
let png: Buffer;

beforeAll(async () => {
  png = await samplePng();
  imageHost = await startImageHost(png);
  system = await startSystem({ IMAGEGEN_FETCH_ALLOW_HOSTS: `127.0.0.1:${imageHost.port}` });
});
afterAll(async () => {
  await system?.stop();
  await imageHost?.close();
});

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });

async function post(path: string, body: unknown, headers: Record<string, string> = auth()) {
  const res = await fetch(system.baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json()) as Record<string, any> };
}

async function postForm(path: string, form: FormData, headers: Record<string, string> = auth()) {
  const res = await fetch(system.baseUrl + path, { method: "POST", headers, body: form });
  return { res, json: (await res.json()) as Record<string, any> };
}

async function imageAt(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return sharp(Buffer.from(await res.arrayBuffer())).metadata();
}

function pngForm(fields: Record<string, string>, image: Buffer = png): FormData {
  const form = new FormData();
  form.set("image", new Blob([new Uint8Array(image)], { type: "image/png" }), "product.png");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

describe("OpenAI Images API through the official SDK", () => {
  const client = () => new OpenAI({ apiKey: system.adminKey, baseURL: `${system.baseUrl}/v1`, maxRetries: 0 });

  it("generates: data[].url serves the requested size, created is Unix seconds", async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const res = await client().images.generate({
      model: "local",
      prompt: "A cute baby sea otter",
      n: 2,
      size: "256x256",
    });
    expect(res.created).toBeGreaterThanOrEqual(before);
    expect(res.data).toHaveLength(2);
    for (const item of res.data ?? []) {
      expect(Object.keys(item)).toEqual(["url"]);
      const meta = await imageAt(item.url as string);
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 256, 256]);
    }
  });

  it("generates b64_json when asked", async () => {
    const res = await client().images.generate({
      model: "local",
      prompt: "a lighthouse",
      size: "256x256",
      response_format: "b64_json",
    });
    const bytes = Buffer.from(res.data?.[0]?.b64_json as string, "base64");
    expect((await sharp(bytes).metadata()).width).toBe(256);
  });

  it("edits with a transparent-means-edit mask, and without one", async () => {
    const image = await toFile(png, "image.png", { type: "image/png" });
    const mask = await toFile(await openAiMask(), "mask.png", { type: "image/png" });
    const masked = await client().images.edit({
      model: "local",
      image,
      mask,
      prompt: "a red apple",
      response_format: "b64_json",
    });
    const out = await sharp(Buffer.from(masked.data?.[0]?.b64_json as string, "base64"))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([out.info.width, out.info.height]).toEqual([96, 64]);
    // The right half was opaque in the mask (keep): its pixels are the input's colour.
    const px = (x: number, y: number) => [
      ...out.data.subarray((y * 96 + x) * out.info.channels, (y * 96 + x) * out.info.channels + 3),
    ];
    expect(px(90, 32)).toEqual([200, 80, 40]);
    const plain = await client().images.edit({
      model: "local",
      image: await toFile(png, "image.png", { type: "image/png" }),
      prompt: "a red apple",
    });
    expect(plain.data?.[0]?.url).toMatch(/\/images\//);
  });

  it("edits from the JSON form: images[].image_url and a data: URL mask", async () => {
    const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString("base64")}`;
    const { res, json } = await post("/v1/images/edits", {
      model: "local",
      prompt: "a red apple",
      images: [{ image_url: dataUrl(png) }],
      mask: { image_url: dataUrl(await openAiMask()) },
    });
    expect(res.status).toBe(200);
    expect(json.data[0].url).toMatch(/\/images\//);
    const refused = await post("/v1/images/edits", { model: "local", prompt: "x", images: [{ file_id: "file-abc" }] });
    expect(refused.res.status).toBe(400);
    expect(refused.json.error.param).toBe("images");
  });

  it("makes variations of an uploaded image", async () => {
    const res = await client().images.createVariation({
      model: "local",
      image: await toFile(png, "image.png", { type: "image/png" }),
      n: 2,
    });
    expect(res.data).toHaveLength(2);
    const meta = await imageAt(res.data?.[0]?.url as string);
    expect([meta.width, meta.height]).toEqual([96, 64]);
  });

  it("lists models in OpenAI's list shape", async () => {
    const page = await client().models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain("local");
    expect(page.data[0]).toEqual({ id: expect.any(String), object: "model", created: 0, owned_by: expect.any(String) });
    expect(await client().models.retrieve("local")).toMatchObject({ id: "local", object: "model", owned_by: "local" });
  });

  it.each([
    ["a bad key", { apiKey: "wrong-key" }, { prompt: "x" }, AuthenticationError, 401, null, "invalid_api_key"],
    ["a missing prompt", {}, { prompt: "" }, BadRequestError, 400, "prompt", "invalid_request"],
    ["too many images", {}, { prompt: "x", n: 9 }, BadRequestError, 400, "n", "invalid_request"],
    ["a malformed size", {}, { prompt: "x", size: "huge" }, BadRequestError, 400, "size", "invalid_request"],
  ])("answers %s with OpenAI's error object", async (_name, options, body, errorClass, status, param, code) => {
    const sdk = new OpenAI({ apiKey: system.adminKey, baseURL: `${system.baseUrl}/v1`, maxRetries: 0, ...options });
    const error = await sdk.images.generate({ model: "local", ...body } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    const apiError = error as InstanceType<typeof AuthenticationError>;
    expect(apiError.status).toBe(status);
    expect(apiError.param ?? null).toBe(param);
    expect(apiError.code).toBe(code);
    expect(Object.keys(apiError.error as object).sort()).toEqual(["code", "message", "param", "type"]);
  });
});

describe("seed 001: POST /api/v1/images/generate", () => {
  const example = {
    model: "ibm-granite/granite-3.0-8b-instruct",
    prompt: "a futuristic city skyline at sunset",
    num_images: 2,
    width: 512,
    height: 512,
  };

  it("answers the example's fields with a catalog model", async () => {
    const { res, json } = await post("/api/v1/images/generate", { ...example, model: "local" });
    expect(res.status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(["image_urls", "model", "prompt"]);
    expect(json.prompt).toBe(example.prompt);
    expect(json.model).toBe("local");
    expect(json.image_urls).toHaveLength(2);
    expect((await imageAt(json.image_urls[0])).width).toBe(512);
  });

  it("routes a Replicate model id to Replicate, which is not configured here: {error} with its status", async () => {
    const { res, json } = await post("/api/v1/images/generate", example);
    expect(res.status).toBe(503);
    expect(Object.keys(json)).toEqual(["error"]);
    expect(json.error).toMatch(/replicate/);
  });

  it.each([
    ["a malformed request", { prompt: "x" }, true, 400],
    ["no API key", { ...example, model: "local" }, false, 401],
    ["an unknown model", { ...example, model: "no-such-model" }, true, 422],
  ])("answers %s with {error: string} and its status", async (_name, body, withKey, status) => {
    const { res, json } = await post("/api/v1/images/generate", body, withKey ? auth() : {});
    expect(res.status).toBe(status);
    expect(Object.keys(json)).toEqual(["error"]);
    expect(typeof json.error).toBe("string");
  });
});

describe("seed 002: POST /api/text2image/generate", () => {
  const prompt = "A serene mountain lake at sunset with snow-capped peaks in the background";

  function expectEnvelope(json: Record<string, any>) {
    expect(Object.keys(json)).toEqual(["status", "request", "process", "data", "error"]);
    expect(json.status).toBe("success");
    expect(json.error).toBeNull();
    expect(Object.keys(json.request)).toEqual(["processor", "timestamp", "parameters"]);
    expect(json.request.processor).toBe("text2image");
    expect(json.request.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.keys(json.request.parameters)).toEqual(["prompt", "size", "quality", "n"]);
    expect(Object.keys(json.process)).toEqual([
      "id",
      "main_processor",
      "started",
      "completed",
      "duration",
      "sub_processors",
      "llm_info",
      "is_from_cache",
      "cache_key",
    ]);
    expect(typeof json.process.duration).toBe("number");
    expect(Object.keys(json.process.llm_info)).toEqual(["total_tokens", "total_cost", "requests"]);
    expect(Object.keys(json.process.llm_info.requests[0])).toEqual([
      "model",
      "purpose",
      "tokens",
      "duration_ms",
      "processor",
    ]);
    expect(typeof json.process.is_from_cache).toBe("boolean");
    expect(Object.keys(json.data)).toEqual([
      "image_base64",
      "image_format",
      "size",
      "model",
      "prompt",
      "seed",
      "images",
    ]);
    for (const image of json.data.images)
      expect(Object.keys(image)).toEqual(["image_base64", "image_format", "size", "seed"]);
    expect(json.data.image_base64).toBe(json.data.images[0].image_base64);
  }

  it("answers the JSON example with the full envelope and a decodable image", async () => {
    const { res, json } = await post("/api/text2image/generate", {
      prompt,
      size: "1024x1024",
      quality: "standard",
      useCache: true,
    });
    expect(res.status).toBe(200);
    expectEnvelope(json);
    expect(json.data.size).toBe("1024x1024");
    expect(json.data.image_format).toBe("png");
    expect(typeof json.process.cache_key).toBe("string");
    const meta = await sharp(Buffer.from(json.data.image_base64, "base64")).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 1024, 1024]);
  });

  it("answers a repeated cached request with the first result", async () => {
    const body = { prompt: "a cached lake", size: "128x128", useCache: true };
    const first = await post("/api/text2image/generate", body);
    const second = await post("/api/text2image/generate", body);
    expect(second.json.process.cache_key).toBe(first.json.process.cache_key);
    expect(second.json.process.id).toBe(first.json.process.id);
    expect(second.json.data.image_base64).toBe(first.json.data.image_base64);
    const fresh = await post("/api/text2image/generate", { ...body, useCache: false });
    expect(fresh.json.process.id).not.toBe(first.json.process.id);
  });

  it("answers the 4-preview example with one image per listed seed", async () => {
    const { json } = await post("/api/text2image/generate", {
      prompt,
      size: "256x256",
      quality: "standard",
      n: 4,
      seeds: [101, 102, 103, 104],
      useCache: false,
    });
    expectEnvelope(json);
    expect(json.data.images.map((i: any) => i.seed)).toEqual([101, 102, 103, 104]);
    expect(json.data.images.map((i: any) => i.size)).toEqual(["256x256", "256x256", "256x256", "256x256"]);
    expect(json.process.cache_key).toBeNull();
  });

  it("answers the form-data example, and takes seeds as a comma string", async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({
      prompt,
      size: "256x256",
      quality: "standard",
      useCache: "true",
      seeds: "7, 9",
    }))
      form.set(k, v);
    const { res, json } = await postForm("/api/text2image/generate", form);
    expect(res.status).toBe(200);
    expectEnvelope(json);
    expect(json.data.images.map((i: any) => i.seed)).toEqual([7, 9]);
  });

  it.each([
    ["MISSING_PROMPT", { prompt: "  " }],
    ["INVALID_SIZE", { prompt, size: "big" }],
    ["INVALID_QUALITY", { prompt, quality: "ultra" }],
  ])("answers %s with the error envelope and 400", async (code, body) => {
    const { res, json } = await post("/api/text2image/generate", body);
    expect(res.status).toBe(400);
    expect(Object.keys(json)).toEqual(["status", "request", "process", "data", "error"]);
    expect(json.status).toBe("error");
    expect(json.data).toBeNull();
    expect(json.request.parameters).toEqual({});
    expect([json.process.completed, json.process.duration, json.process.llm_info]).toEqual([null, null, null]);
    expect(Object.keys(json.error)).toEqual(["code", "message", "details"]);
    expect(json.error.code).toBe(code);
  });
});

describe("seed 000: POST /api/generate/{provider}", () => {
  it("generates through the named provider", async () => {
    const { res, json } = await post("/api/generate/local", {
      prompt: "a red fox",
      width: 128,
      height: 128,
      num_images: 1,
    });
    expect(res.status).toBe(200);
    expect(json.status).toBe("completed");
    expect(json.provider).toBe("local");
    expect(json.images[0]).toMatchObject({ width: 128, height: 128, format: "png" });
  });

  it.each([
    ["an unknown provider", "/api/generate/nope", 404, "NOT_FOUND"],
    ["a known provider without credentials", "/api/generate/replicate", 503, "PROVIDER_NOT_CONFIGURED"],
    ["a model the provider does not serve", "/api/generate/local?", 400, "UNSUPPORTED"],
  ])("answers %s clearly", async (_name, path, status, code) => {
    const body = path.endsWith("?") ? { prompt: "x", model: "dall-e-3" } : { prompt: "x" };
    const { res, json } = await post(path.replace(/\?$/, ""), body);
    expect(res.status).toBe(status);
    expect(json.error.code).toBe(code);
  });
});

describe("seed 003: /api/generate, /api/models, /api/variation", () => {
  let firstUrl = "";

  it("generates 4 variations of an uploaded product image by default", async () => {
    const { res, json } = await postForm(
      "/api/generate",
      pngForm({ prompt: "Add AI human", model: "stable-diffusion" }),
    );
    expect(res.status).toBe(200);
    expect(Object.keys(json)).toEqual(["images", "model_used", "prompt_used"]);
    expect(json.images).toHaveLength(4);
    expect([json.model_used, json.prompt_used]).toEqual(["stable-diffusion", "Add AI human"]);
    firstUrl = json.images[0];
    expect((await imageAt(firstUrl)).width).toBe(96);
  });

  it("lists models as {models:[{id,name}]}", async () => {
    const res = await fetch(`${system.baseUrl}/api/models`, { headers: auth() });
    const json = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(200);
    expect(json.models).toContainEqual({ id: "stable-diffusion", name: "Stable Diffusion" });
    for (const m of json.models) expect(Object.keys(m)).toEqual(["id", "name"]);
  });

  it("makes variations of a previously generated image (read from our store)", async () => {
    const { res, json } = await post("/api/variation", {
      image_url: firstUrl,
      prompt: "Change background to forest",
      model: "stable-diffusion",
      num_images: 2,
    });
    expect(res.status).toBe(200);
    expect(json.images).toHaveLength(2);
    expect(json.prompt_used).toBe("Change background to forest");
  });

  it("fetches an external image URL through the guard when the host is allowed", async () => {
    const url = `http://127.0.0.1:${imageHost.port}/product.png`;
    const { res, json } = await post("/api/variation", { image_url: url, model: "local", num_images: 1 });
    expect(res.status).toBe(200);
    expect(imageHost.paths).toContain("/product.png");
    expect(json.images).toHaveLength(1);
  });

  it.each([
    [
      "a missing image",
      () =>
        postForm(
          "/api/generate",
          (() => {
            const f = new FormData();
            f.set("prompt", "x");
            f.set("model", "local");
            return f;
          })(),
        ),
      400,
    ],
    [
      "a metadata-service URL",
      () => post("/api/variation", { image_url: "http://169.254.169.254/latest/meta-data/", model: "local" }),
      400,
    ],
    [
      "a loopback URL not allowed",
      () => post("/api/variation", { image_url: `http://127.0.0.1:${system.port}/healthz`, model: "local" }),
      400,
    ],
    ["a 30000×30000 bomb", () => postForm("/api/generate", pngForm({ prompt: "x", model: "local" }, bombPng())), 400],
  ])("answers %s with {error} and 400", async (_name, send, status) => {
    const { res, json } = await send();
    expect(res.status).toBe(status);
    expect(Object.keys(json)).toEqual(["error"]);
    expect(typeof json.error).toBe("string");
  });
});
