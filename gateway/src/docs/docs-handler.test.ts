import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDocsHandler } from "./docs-handler.ts";

let server: Server;
let base: string;

beforeAll(async () => {
  const handler = createDocsHandler();
  server = createServer((req, res) => {
    void handler(req, res, new URL(req.url ?? "/", "http://edge")).then((handled) => {
      if (!handled) res.writeHead(404).end("not handled");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the docs routes", () => {
  it("serve the OpenAPI document as JSON", async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as { openapi: string }).openapi).toMatch(/^3\.1\./);
  });

  it("serve the reference page pointing at /openapi.json and the bundled Scalar script only", async () => {
    const html = await (await fetch(`${base}/docs`)).text();
    expect(html).toContain('"url":"/openapi.json"');
    expect(html).toContain('"telemetry":false');
    expect(html).toContain('"withDefaultFonts":false');
    expect(html).toContain('"proxyUrl":""'); // absent would mean proxy.scalar.com for "Test request"
    expect(
      [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => /^(https?:)?\/\//.test(u as string)),
    ).toEqual([]);
    const script = await fetch(`${base}/docs/assets/scalar-standalone.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
  });

  it("serve the guides as Markdown and list them", async () => {
    const index = await (await fetch(`${base}/docs/guides`)).text();
    expect(index).toContain('href="/docs/guides/quick-start"');
    const guide = await fetch(`${base}/docs/guides/errors`);
    expect(guide.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await guide.text()).toMatch(/^# Errors/);
  });

  it("leave unknown guides and other paths to the next handler", async () => {
    expect((await fetch(`${base}/docs/guides/no-such-guide`)).status).toBe(404);
    expect((await fetch(`${base}/docs/guides/..%2Fpackage`)).status).toBe(404);
    expect((await fetch(`${base}/api/v2/models`)).status).toBe(404);
    expect((await fetch(`${base}/openapi.json`, { method: "POST" })).status).toBe(404);
  });
});
