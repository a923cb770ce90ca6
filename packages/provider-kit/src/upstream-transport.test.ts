import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { describeError } from "@imagegen/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "./deadline.ts";
import { toFormData } from "./form-data.ts";
import { createHttpClient } from "./http-client.ts";
import { createRedactor } from "./redact.ts";
import { createFakeServer, sendJson, type FakeServer } from "./testing/fake-server.ts";

// What the kit's HTTP client keeps from the `fetch` it replaced: connection reuse, decoding,
// redirects only without credentials, cancellation by the job's signal, multipart bodies.
let server: FakeServer;
beforeAll(async () => {
  server = await createFakeServer((req, res) => {
    if (req.path === "/gzip") {
      const body = gzipSync(JSON.stringify({ zipped: true }));
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(body);
    } else if (req.path === "/redirect") {
      res.writeHead(302, { location: "/landed" }).end();
    } else if (req.path === "/hang") {
      // Never answers: the client must give up on its own.
    } else {
      sendJson(res, 200, { path: req.path });
    }
  });
});
afterAll(() => server.close());

function client(signal = new AbortController().signal, baseUrl = server.baseUrl) {
  return createHttpClient({
    provider: "acme",
    baseUrl,
    authHeaders: { authorization: "Bearer tok_secret" },
    signal,
    deadlineAt: Date.now() + 10_000,
    redact: createRedactor(["tok_secret"]),
    sleep,
  });
}

describe("the kit's HTTP client on undici", () => {
  it("keeps its connections alive across calls instead of opening one per call", async () => {
    let opened = 0;
    const counting = createServer((req, res) => {
      req.resume().on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    }).on("connection", () => opened++);
    await new Promise<void>((resolve) => counting.listen(0, "127.0.0.1", resolve));
    try {
      const http = client(undefined, `http://127.0.0.1:${(counting.address() as { port: number }).port}`);
      for (let i = 0; i < 20; i++)
        await http.request(
          i % 2 ? { method: "GET", path: `/seq/${i}` } : { method: "POST", path: "/seq", json: { i } },
        );
      // undici may open a second one while the first finishes its answer (so did fetch), never more.
      expect(opened).toBeGreaterThan(0);
      expect(opened).toBeLessThanOrEqual(2);
    } finally {
      counting.closeAllConnections();
      counting.close();
    }
  });

  it("asks for compressed answers as fetch did and hands back the decoded body", async () => {
    const response = await client().request({ method: "GET", path: "/gzip" });
    expect(response.json()).toEqual({ zipped: true });
    const sent = server.requests.at(-1);
    expect(sent?.headers["accept-encoding"]).toBe("gzip, deflate");
    expect(sent?.headers.accept).toBe("*/*");
    expect(response.headers.get("Content-Encoding")).toBe("gzip");
  });

  it("hands back a redirect on a credentialed call and follows it, without credentials, on a download", async () => {
    const before = server.requests.length;
    const error = await client()
      .request({ method: "GET", path: "/redirect" })
      .catch((e: unknown) => e);
    expect(describeError(error).row.name).toBe("UPSTREAM_BAD_RESPONSE");
    expect(server.requests.slice(before).map((r) => r.path)).toEqual(["/redirect"]);

    const download = await client().request({ method: "GET", url: `${server.baseUrl}/redirect` });
    expect(download.json()).toEqual({ path: "/landed" });
    const landed = server.requests.at(-1);
    expect(landed?.path).toBe("/landed");
    expect(landed?.headers.authorization).toBeUndefined();
  });

  it("stops the vendor call when the job's signal aborts", async () => {
    const controller = new AbortController();
    const before = server.requests.length;
    const pending = client(controller.signal)
      .request({ method: "POST", path: "/hang", json: {} })
      .catch((e: unknown) => e);
    while (server.requests.length === before) await new Promise((r) => setTimeout(r, 5));
    const open = server.openConnections();
    controller.abort();
    expect(describeError(await pending).row.name).toBe("CANCELED");
    // The aborted call's connection is closed, not left to the vendor.
    for (let i = 0; i < 100 && server.openConnections() >= open; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.openConnections()).toBeLessThan(open);
  });

  it("sends a multipart body with its files, boundary and length", async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await client().request({
      method: "POST",
      path: "/upload",
      form: toFormData([
        { name: "prompt", value: "a cat" },
        { name: "image", file: { data: bytes, filename: "in.png", contentType: "image/png" } },
      ]),
    });
    const sent = server.requests.at(-1);
    expect(sent?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(Number(sent?.headers["content-length"])).toBe(sent?.body.length);
    const text = sent?.body.toString("latin1") ?? "";
    expect(text).toContain('name="prompt"\r\n\r\na cat\r\n');
    expect(text).toContain('name="image"; filename="in.png"\r\nContent-Type: image/png\r\n\r\n');
    expect(sent?.body.includes(Buffer.from(bytes))).toBe(true);
  });
});
