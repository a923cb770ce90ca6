import { describe, expect, it } from "vitest";
import { ImageGenClient } from "../src/index.ts";
import { parseRetryAfter } from "../src/transport.ts";
import { envelope, generation, json, scriptedFetch } from "./fake-fetch.ts";

const clientWith = (fetch: typeof globalThis.fetch, options: Record<string, unknown> = {}) =>
  new ImageGenClient({ apiKey: "k", baseURL: "http://api.test", fetch, ...options });

describe("retries", () => {
  it("waits out a 429's Retry-After and resends with the same Idempotency-Key", async () => {
    const { fetch, seen } = scriptedFetch([
      () => envelope(429, "RATE_LIMITED", "rate_limit_error", {}, { "retry-after": "1" }),
      () => json(200, generation()),
    ]);
    const started = Date.now();
    const result = await clientWith(fetch).generate.textToImage({ prompt: "p" });
    const waited = Date.now() - started;
    expect(result.id).toBe("gen_1");
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.headers.get("idempotency-key")).toBe(seen[0]?.headers.get("idempotency-key"));
    expect(seen[1]?.body).toBe(seen[0]?.body);
  });

  it("backs off on a 503 without Retry-After, then gives up after maxRetries with the last error", async () => {
    const unavailable = () => envelope(503, "UNAVAILABLE", "service_unavailable");
    const { fetch, seen } = scriptedFetch([unavailable, unavailable, unavailable]);
    const error = await clientWith(fetch)
      .models.list()
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(3);
    expect(error).toMatchObject({ status: 503, code: "UNAVAILABLE" });
  });

  it("throws at once when Retry-After is longer than maxRetryDelayMs, saying how long", async () => {
    const { fetch, seen } = scriptedFetch([
      () => envelope(429, "RATE_LIMITED", "rate_limit_error", {}, { "retry-after": "3600" }),
    ]);
    const error = await clientWith(fetch)
      .generate.textToImage({ prompt: "p" })
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfterSeconds: 3600 });
  });

  it("never retries other statuses", async () => {
    const { fetch, seen } = scriptedFetch([() => envelope(500, "INTERNAL", "server_error")]);
    await expect(clientWith(fetch).generate.textToImage({ prompt: "p" })).rejects.toMatchObject({ status: 500 });
    expect(seen).toHaveLength(1);
  });

  it("retries a refused connection for a generation create, but not for a create the server does not de-duplicate", async () => {
    const refuse = () => Promise.reject(new TypeError("fetch failed"));
    const generate = scriptedFetch([refuse, () => json(200, generation())]);
    expect((await clientWith(generate.fetch).generate.textToImage({ prompt: "p" })).id).toBe("gen_1");
    expect(generate.seen[1]?.headers.get("idempotency-key")).toBe(generate.seen[0]?.headers.get("idempotency-key"));
    const collection = scriptedFetch([refuse]);
    await expect(clientWith(collection.fetch).collections.create({ name: "c" })).rejects.toMatchObject({
      status: 0,
      code: "UNAVAILABLE",
    });
    expect(collection.seen).toHaveLength(1);
  });

  it("maxRetries 0 turns retries off", async () => {
    const { fetch, seen } = scriptedFetch([
      () => envelope(503, "UNAVAILABLE", "service_unavailable", {}, { "retry-after": "0" }),
    ]);
    await expect(clientWith(fetch, { maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it("an abort during the wait between retries is CANCELED", async () => {
    const { fetch } = scriptedFetch([
      () => envelope(429, "RATE_LIMITED", "rate_limit_error", {}, { "retry-after": "30" }),
    ]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(clientWith(fetch).models.list({}, { signal: controller.signal })).rejects.toMatchObject({
      status: 0,
      code: "CANCELED",
    });
  });

  it("a per-attempt timeout is TIMEOUT", async () => {
    const never = async (_input: unknown, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    await expect(
      clientWith(never as typeof fetch, { timeoutMs: 50 }).collections.create({ name: "c" }),
    ).rejects.toMatchObject({ status: 0, code: "TIMEOUT" });
  });

  it.each([
    ["3", 3],
    [" 12 ", 12],
    ["Wed, 21 Oct 2015 07:28:10 GMT", 10],
    ["soon", undefined],
    [null, undefined],
  ] as const)("Retry-After %j is %j s", (value, seconds) => {
    expect(parseRetryAfter(value, Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(seconds);
  });
});
