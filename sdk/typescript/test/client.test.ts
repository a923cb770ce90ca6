import { describe, expect, it } from "vitest";
import { ImageGenClient, ImageGenError } from "../src/index.ts";
import { envelope, generation, json, scriptedFetch } from "./fake-fetch.ts";

const clientWith = (fetch: typeof globalThis.fetch, options: Record<string, unknown> = {}) =>
  new ImageGenClient({ apiKey: "k_test", baseURL: "http://api.test/", fetch, ...options });

describe("ImageGenClient requests", () => {
  it("sends camelCase requests as snake_case with the key, an Idempotency-Key and no change to metadata", async () => {
    const { fetch, seen } = scriptedFetch([() => json(200, generation())]);
    const result = await clientWith(fetch).generate.textToImage({
      prompt: "A futuristic city at night",
      negativePrompt: "blur",
      model: "stable-diffusion-xl",
      parameters: { width: 1024, height: 1024, numOutputs: 1, guidanceScale: 7.5 },
      output: { format: "png", returnType: "url" },
      metadata: { userId: "stays camel", project_id: "stays snake" },
    });
    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("http://api.test/api/v2/generate/text-to-image");
    expect(request?.headers.get("authorization")).toBe("Bearer k_test");
    expect(request?.headers.get("idempotency-key")).toMatch(/^sdk_[0-9a-f]{32}$/);
    expect(JSON.parse(request?.body ?? "")).toEqual({
      prompt: "A futuristic city at night",
      negative_prompt: "blur",
      model: "stable-diffusion-xl",
      parameters: { width: 1024, height: 1024, num_outputs: 1, guidance_scale: 7.5 },
      output: { format: "png", return_type: "url" },
      metadata: { userId: "stays camel", project_id: "stays snake" },
    });
    expect(result.images[0]?.sizeBytes).toBe(100);
    expect(result.images[0]?.url).toBe("http://x/images/1.png");
    expect(result.cacheKey).toBe("");
    expect(result.metadata).toEqual({ user_id: "u1", nested_key: { keep_me: 1 } });
  });

  it("each create call gets its own Idempotency-Key, or the caller's", async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(200, generation()),
      () => json(200, generation()),
      () => json(200, generation()),
    ]);
    const client = clientWith(fetch);
    await client.generate.textToImage({ prompt: "a" });
    await client.generate.textToImage({ prompt: "a" });
    await client.generate.textToImage({ prompt: "a" }, { idempotencyKey: "mine-1" });
    const keys = seen.map((r) => r.headers.get("idempotency-key"));
    expect(new Set(keys).size).toBe(3);
    expect(keys[2]).toBe("mine-1");
  });

  it("fills path templates, maps query names and sends no Idempotency-Key on reads", async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(200, { generations: [], next_page_token: "" }),
      () => json(200, { model: { id: "a b" } }),
      () => json(200, { gallery: { total_items: 0, page: 1, limit: 5, items: [] } }),
      () => new Response(null, { status: 204 }),
    ]);
    const client = clientWith(fetch);
    await client.generations.list({ pageSize: 10, status: "processing" });
    await client.models.get("a b");
    const gallery = await client.gallery.list({ limit: 5, tags: ["landscape", "nature"], dateFrom: "2024-01-01" });
    expect(await client.collections.delete("col_1")).toBeUndefined();
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET http://api.test/api/v2/generations?page_size=10&status=processing",
      "GET http://api.test/api/v2/models/a%20b",
      "GET http://api.test/api/v2/gallery?limit=5&tags=landscape%2Cnature&date_from=2024-01-01",
      "DELETE http://api.test/api/v2/collections/col_1",
    ]);
    expect(seen.every((r) => !r.headers.has("idempotency-key"))).toBe(true);
    expect(gallery.gallery?.totalItems).toBe(0);
  });

  it("reads the key and server from IMAGEGEN_API_KEY / IMAGEGEN_BASE_URL when not given", async () => {
    const { fetch, seen } = scriptedFetch([() => json(200, { user: { id: "u" } })]);
    const saved = { key: process.env.IMAGEGEN_API_KEY, url: process.env.IMAGEGEN_BASE_URL };
    process.env.IMAGEGEN_API_KEY = "k_env";
    process.env.IMAGEGEN_BASE_URL = "http://env.test";
    try {
      await new ImageGenClient({ fetch }).user.profile();
    } finally {
      for (const [name, value] of [
        ["IMAGEGEN_API_KEY", saved.key],
        ["IMAGEGEN_BASE_URL", saved.url],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(seen[0]?.url).toBe("http://env.test/api/v2/user/profile");
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer k_env");
  });

  it("refuses to start without a key", () => {
    const saved = process.env.IMAGEGEN_API_KEY;
    delete process.env.IMAGEGEN_API_KEY;
    try {
      expect(() => new ImageGenClient({})).toThrow(/apiKey is required/);
    } finally {
      if (saved !== undefined) process.env.IMAGEGEN_API_KEY = saved;
    }
  });
});

describe("ImageGenError", () => {
  it("carries status, code, type, requestId and camelCase details from the envelope", async () => {
    const { fetch } = scriptedFetch([
      () =>
        envelope(400, "INVALID_REQUEST", "validation_error", {
          details: {
            field: "parameters.width",
            reason: "int64.multiple_of",
            violations: [{ field: "parameters.width", reason: "x", message: "m" }],
          },
        }),
    ]);
    const error = await clientWith(fetch)
      .generate.textToImage({ prompt: "p", parameters: { width: 100 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageGenError);
    expect(error).toMatchObject({
      status: 400,
      code: "INVALID_REQUEST",
      type: "validation_error",
      requestId: "req_abc",
      documentationUrl: "/docs/errors#INVALID_REQUEST",
    });
    expect((error as ImageGenError).details.field).toBe("parameters.width");
    expect((error as ImageGenError).details.violations?.[0]?.field).toBe("parameters.width");
  });

  it("names the code of a bare status when the body is not our envelope", async () => {
    const { fetch } = scriptedFetch([
      () => new Response("<html>bad gateway</html>", { status: 502, headers: { "x-request-id": "req_proxy" } }),
    ]);
    const error = await clientWith(fetch)
      .models.list()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: "UPSTREAM_UNAVAILABLE", requestId: "req_proxy" });
  });

  it("raises a failed generation's own code, with the table's status", async () => {
    const { fetch } = scriptedFetch([
      () =>
        json(
          200,
          generation({ status: "failed", images: [], error: { reason: "content_policy", message: "refused" } }),
        ),
    ]);
    const error = await clientWith(fetch)
      .generate.textToImage({ prompt: "p" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "CONTENT_POLICY", type: "content_policy_error" });
  });
});
