import { describe, expect, it } from "vitest";
import { ImageGenClient, ImageGenError } from "../src/index.ts";
import { generation, json, scriptedFetch } from "./fake-fetch.ts";

const clientWith = (fetch: typeof globalThis.fetch) =>
  new ImageGenClient({ apiKey: "k", baseURL: "http://api.test", fetch });

/** An SSE body delivered in awkward chunks (split mid-line, CRLF), as proxies do. */
function sse(events: { type: string; data: unknown }[], chunkSize = 7, cut = false): Response {
  const text = events
    .map((e) => `event: ${e.type}\r\ndata: ${JSON.stringify(e.data)}\r\n\r\n`)
    .join(": keep-alive comment\n\n");
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return cut ? controller.error(new TypeError("terminated")) : controller.close();
      controller.enqueue(bytes.slice(offset, (offset += chunkSize)));
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

const pending = generation({ status: "processing", images: [], progress: 0 });

describe("generations.watch and wait", () => {
  it("watch yields each event camelCased and ends after the last", async () => {
    const { fetch, seen } = scriptedFetch([
      () =>
        sse([
          { type: "started", data: { type: "started", generation: pending } },
          { type: "progress", data: { type: "progress", generation: { ...pending, progress: 0.5 } } },
          { type: "completed", data: { type: "completed", generation: generation() } },
        ]),
    ]);
    const events = [];
    for await (const event of clientWith(fetch).generations.watch("gen_1")) events.push(event);
    expect(seen[0]?.url).toBe("http://api.test/api/v2/generations/gen_1:watch");
    expect(seen[0]?.headers.get("accept")).toBe("text/event-stream");
    expect(events.map((e) => [e.type, e.generation?.progress])).toEqual([
      ["started", 0],
      ["progress", 0.5],
      ["completed", 1],
    ]);
    expect(events[2]?.generation?.images[0]?.sizeBytes).toBe(100);
  });

  it("an error event ends the stream with ImageGenError", async () => {
    const { fetch } = scriptedFetch([
      () => sse([{ type: "error", data: { error: { code: "NOT_FOUND", message: "no generation gen_x" } } }]),
    ]);
    const iterate = async () => {
      for await (const event of clientWith(fetch).generations.watch("gen_x")) void event;
    };
    await expect(iterate()).rejects.toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("a create answered 202 is waited for over the event stream", async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(202, pending),
      () => sse([{ type: "completed", data: { type: "completed", generation: generation() } }]),
    ]);
    const result = await clientWith(fetch).generate.textToImage({ prompt: "p" });
    expect(result.status).toBe("completed");
    expect(seen.map((r) => r.url)).toEqual([
      "http://api.test/api/v2/generate/text-to-image",
      "http://api.test/api/v2/generations/gen_1:watch",
    ]);
  });

  it("respondAsync asks for the pending generation and returns it as is", async () => {
    const { fetch, seen } = scriptedFetch([() => json(202, pending)]);
    const result = await clientWith(fetch).generate.textToImage({ prompt: "p" }, { respondAsync: true });
    expect(result.status).toBe("processing");
    expect(seen[0]?.headers.get("prefer")).toBe("respond-async");
  });

  it("wait resumes after a stream cut mid-way: looks, then watches again", async () => {
    const { fetch, seen } = scriptedFetch([
      () => sse([{ type: "started", data: { type: "started", generation: pending } }], 5, true),
      () => json(202, pending),
      () => sse([{ type: "completed", data: { type: "completed", generation: generation() } }]),
    ]);
    const done = await clientWith(fetch).generations.wait("gen_1");
    expect(done.status).toBe("completed");
    expect(seen.map((r) => r.url.replace("http://api.test/api/v2/generations/", ""))).toEqual([
      "gen_1:watch",
      "gen_1",
      "gen_1:watch",
    ]);
  });

  it("wait gives up with TIMEOUT after waitTimeoutMs", async () => {
    const hanging = async (_input: unknown, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          init?.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
        },
      });
      return new Response(body, { status: 200 });
    };
    const error = await clientWith(hanging as typeof fetch)
      .generations.wait("gen_1", { waitTimeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageGenError);
    expect(error).toMatchObject({ code: "TIMEOUT" });
  });
});
