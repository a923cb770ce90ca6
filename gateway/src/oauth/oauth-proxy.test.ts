import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOAuthProxy, OAUTH_MAX_BODY_BYTES } from "./oauth-proxy.ts";

// The edge's forwarding of the authorization server's HTTP endpoints, against a stand-in front.
let front: Server;
let edge: Server;
let edgeUrl: string;
const seen: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }> = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  front = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    res.setHeader("set-cookie", ["_interaction=a; path=/oauth", "_session=b; path=/"]);
    res.setHeader("location", "/oauth/consent/uid1");
    res.statusCode = 303;
    res.end("see other");
  });
  const frontUrl = await listen(front);
  const proxy = createOAuthProxy([frontUrl]);
  const down = createOAuthProxy(["http://127.0.0.1:1"]);
  const failover = createOAuthProxy(["http://127.0.0.1:1", frontUrl]);
  edge = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://edge");
    const handler = url.searchParams.has("down") ? down : url.searchParams.has("failover") ? failover : proxy;
    void handler(req, res, url).then((handled) => {
      if (!handled) res.writeHead(404).end("not mine");
    });
  });
  edgeUrl = await listen(edge);
});

afterAll(() => {
  edge?.close();
  front?.close();
});

describe("the gateway's OAuth forwarding", () => {
  it("forwards path, query, method, headers and body, and returns the front's status, Location and every cookie", async () => {
    const res = await fetch(`${edgeUrl}/oauth/token?x=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: "_session=b" },
      body: "grant_type=client_credentials",
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/oauth/consent/uid1");
    expect(res.headers.getSetCookie()).toEqual(["_interaction=a; path=/oauth", "_session=b; path=/"]);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: "POST", url: "/oauth/token?x=1", body: "grant_type=client_credentials" });
    expect(last.headers).toMatchObject({
      cookie: "_session=b",
      "x-forwarded-proto": "http",
      "x-forwarded-host": new URL(edgeUrl).host,
    });
  });

  it("forwards the discovery document's path and leaves every other path alone", async () => {
    await fetch(`${edgeUrl}/.well-known/oauth-authorization-server`, { redirect: "manual" });
    expect(seen.at(-1)?.url).toBe("/.well-known/oauth-authorization-server");
    for (const path of ["/.well-known/openid-configuration", "/oauth/unknown", "/oauth/consent/a/b", "/oauth"]) {
      const other = await fetch(`${edgeUrl}${path}`);
      expect(other.status, path).toBe(404);
      expect(await other.text()).toBe("not mine");
    }
    await fetch(`${edgeUrl}/oauth/consent/Ab_c-1`, { redirect: "manual" });
    expect(seen.at(-1)?.url).toBe("/oauth/consent/Ab_c-1");
  });

  it("refuses a body over the limit with 413 before the front sees it, declared or streamed", async () => {
    const before = seen.length;
    const big = "a".repeat(OAUTH_MAX_BODY_BYTES + 1);
    const declared = await fetch(`${edgeUrl}/oauth/token`, { method: "POST", body: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    const streamed = await fetch(`${edgeUrl}/oauth/token`, {
      method: "POST",
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(seen.length).toBe(before);
  });

  it("hands the request to the next front when one refuses the connection", async () => {
    const res = await fetch(`${edgeUrl}/oauth/token?failover=1`, {
      method: "POST",
      body: "grant_type=x",
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(seen.at(-1)).toMatchObject({ url: "/oauth/token?failover=1", body: "grant_type=x" });
  });

  it("answers 503 UNAVAILABLE when the front cannot be reached", async () => {
    const res = await fetch(`${edgeUrl}/oauth/token?down=1`, { method: "POST", body: "x" });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
  });
});
