import { describeError } from "@imagegen/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep as realSleep, type Sleep } from "./deadline.ts";
import { createHttpClient, sameSite } from "./http-client.ts";
import { createRedactor } from "./redact.ts";
import { createFakeServer, sendJson, type FakeServer } from "./testing/fake-server.ts";

let server: FakeServer;
let plan: Array<{ status: number; headers?: Record<string, string> }> = [];
beforeAll(async () => {
  server = await createFakeServer((_req, res) => {
    const next = plan.shift() ?? { status: 200 };
    sendJson(res, next.status, { ok: next.status < 400, detail: "nope" }, next.headers);
  });
});
afterAll(() => server.close());

function client(options: { deadlineMs?: number; baseUrl?: string } = {}) {
  const sleeps: number[] = [];
  const sleep: Sleep = (ms, signal) => (sleeps.push(ms), realSleep(1, signal));
  const http = createHttpClient({
    provider: "acme",
    baseUrl: options.baseUrl ?? server.baseUrl,
    authHeaders: { authorization: "Bearer tok_secret" },
    signal: new AbortController().signal,
    deadlineAt: Date.now() + (options.deadlineMs ?? 10_000),
    redact: createRedactor(["tok_secret"]),
    sleep,
  });
  return { http, sleeps };
}

describe("createHttpClient", () => {
  it.each([
    { name: "retries a GET after a 500", method: "GET" as const, plan: [{ status: 500 }], sent: 2, ok: true },
    { name: "never resends a POST after a 500", method: "POST" as const, plan: [{ status: 500 }], sent: 1, ok: false },
    {
      name: "resends a POST after a 429 with Retry-After",
      method: "POST" as const,
      plan: [{ status: 429, headers: { "retry-after": "2" } }],
      sent: 2,
      ok: true,
    },
    {
      name: "resends after a 503 with Retry-After",
      method: "POST" as const,
      plan: [{ status: 503, headers: { "retry-after": "1" } }],
      sent: 2,
      ok: true,
    },
    {
      name: "gives up after three attempts",
      method: "GET" as const,
      plan: [{ status: 503 }, { status: 503 }, { status: 503 }],
      sent: 3,
      ok: false,
    },
  ])("$name", async ({ method, plan: steps, sent, ok }) => {
    plan = [...steps];
    const before = server.requests.length;
    const { http } = client();
    const result = await http.request({ method, path: "/v1/thing" }).then(
      () => true,
      () => false,
    );
    expect(result).toBe(ok);
    expect(server.requests.length - before).toBe(sent);
  });

  it("does not wait past the deadline for a Retry-After", async () => {
    plan = [{ status: 429, headers: { "retry-after": "60" } }];
    const { http, sleeps } = client({ deadlineMs: 5000 });
    const error = await http.request({ method: "POST", path: "/v1/thing" }).catch((e: unknown) => e);
    expect(describeError(error)).toMatchObject({ retryAfterSeconds: 60, row: { name: "UPSTREAM_RATE_LIMITED" } });
    expect(sleeps).toEqual([]);
  });

  it("sends the auth header to the base URL, and to other URLs only when asked", async () => {
    const { http } = client();
    await http.request({ method: "GET", path: "/a" });
    await http.request({ method: "GET", url: `${server.baseUrl}/b` });
    await http.request({ method: "GET", url: `${server.baseUrl}/c`, auth: true });
    const auth = server.requests.slice(-3).map((r) => r.headers.authorization);
    expect(auth).toEqual(["Bearer tok_secret", undefined, "Bearer tok_secret"]);
  });

  it("refuses to send our credentials to a vendor-supplied URL on another host", async () => {
    const { http } = client();
    const before = server.requests.length;
    const elsewhere = server.baseUrl.replace("127.0.0.1", "localhost");
    const error = await http.request({ method: "GET", url: `${elsewhere}/poll`, auth: true }).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("UPSTREAM_BAD_RESPONSE");
    expect(server.requests.length).toBe(before);
  });

  it.each([
    ["https://api.us2.bfl.ai/v1/get_result", "https://api.bfl.ai", true],
    ["https://api.bfl.ai.evil.com/x", "https://api.bfl.ai", false],
    ["http://127.0.0.1:9/x", "http://127.0.0.1:8/", true],
    ["http://10.0.0.1/x", "http://127.0.0.1/", false],
    ["http://api.bfl.ai/x", "https://api.bfl.ai", false],
  ])("treats %s as the site of %s: %s", (url, base, expected) => {
    expect(sameSite(new URL(url), new URL(base))).toBe(expected);
  });

  it("resends a POST whose connection was refused, then reports the vendor unreachable", async () => {
    const closed = await createFakeServer(() => undefined);
    await closed.close();
    const { http, sleeps } = client({ baseUrl: closed.baseUrl });
    const error = await http.request({ method: "POST", path: "/v1/thing", json: {} }).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("UPSTREAM_UNAVAILABLE");
    expect(sleeps).toEqual([250, 500]);
  });

  it("refuses an answer larger than its cap", async () => {
    const { http } = client();
    const error = await http.request({ method: "GET", path: "/big", maxBytes: 4 }).catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("UPSTREAM_BAD_RESPONSE");
  });
});
