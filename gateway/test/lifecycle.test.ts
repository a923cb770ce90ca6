import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
beforeAll(async () => {
  // The rest of the suite runs the default Connect-over-h2c hops; this file proves the gRPC
  // option, streams and cancellation included.
  system = await startSystem({ IMAGEGEN_INTERNAL_PROTOCOL: "grpc" });
});
afterAll(() => system?.stop());

const auth = () => ({ authorization: `Bearer ${system.adminKey}` });
// Four large images take the local renderer over a second: long enough to watch and cancel.
const slowRequest = {
  prompt: "a storm over the sea at night",
  model: "local",
  parameters: { width: 2048, height: 2048, num_outputs: 4 },
};

async function createAsync(body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
    method: "POST",
    headers: { ...auth(), "content-type": "application/json", prefer: "respond-async" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function poll(id: string): Promise<Record<string, any>> {
  for (let i = 0; i < 200; i++) {
    const json = (await (
      await fetch(`${system.baseUrl}/api/v2/generations/${id}`, { headers: auth() })
    ).json()) as Record<string, any>;
    if (["completed", "failed", "canceled"].includes(json.status)) return json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`generation ${id} never finished`);
}

describe("generation lifecycle", () => {
  it("answers 202 with the pending generation under Prefer: respond-async, then polls to completed", async () => {
    const { status, json } = await createAsync(slowRequest);
    expect(status).toBe(202);
    expect(["queued", "processing"]).toContain(json.status);
    expect(json.completed_at).toBeUndefined();
    const done = await poll(json.id);
    expect(done.status).toBe("completed");
    expect(done.images).toHaveLength(4);
    expect(done.completed_at).toMatch(/Z$/);
  });

  it("streams progress then each image then the terminal state over gRPC", async () => {
    const { json } = await createAsync(slowRequest);
    const client = createClient(ImageService, createGrpcTransport({ baseUrl: system.baseUrl }));
    const types: string[] = [];
    let last;
    const progress = [];
    for await (const event of client.watchGeneration({ id: json.id }, { headers: auth() })) {
      types.push(event.type);
      if (event.type === "progress") progress.push(event.generation);
      last = event;
    }
    expect(types[0]).toMatch(/queued|started/);
    expect(types.filter((t) => t === "image").length).toBeGreaterThan(0);
    // Progress events carry the generation as it stands: processing, not UNSPECIFIED.
    expect(progress.length).toBeGreaterThan(0);
    for (const generation of progress) {
      expect(generation?.status).toBe(GenerationStatus.PROCESSING);
      expect(generation?.id).toBe(json.id);
      expect(generation?.model).toBe("local");
    }
    expect(types.at(-1)).toBe("completed");
    expect(last?.generation?.status).toBe(GenerationStatus.COMPLETED);
    expect(last?.generation?.images).toHaveLength(4);
  });

  it("offers the same stream as Server-Sent Events on REST", async () => {
    const { json } = await createAsync(slowRequest);
    const res = await fetch(`${system.baseUrl}/api/v2/generations/${json.id}:watch`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    const events = text
      .split("\n\n")
      .filter(Boolean)
      .map((block) => /^event: (\S+)/.exec(block)?.[1]);
    expect(events).toContain("image");
    expect(events.at(-1)).toBe("completed");
    const lastData = JSON.parse(/data: (.*)$/m.exec(text.trim().split("\n\n").at(-1) as string)?.[1] as string);
    expect(lastData.generation.status).toBe("completed");
  });

  it("cancels a running generation", async () => {
    const { json } = await createAsync(slowRequest);
    const res = await fetch(`${system.baseUrl}/api/v2/generations/${json.id}:cancel`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const canceled = (await res.json()) as Record<string, any>;
    expect(canceled.status).toBe("canceled");
    expect(canceled.error.reason).toBe("canceled");
    const again = await fetch(`${system.baseUrl}/api/v2/generations/${json.id}:cancel`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: "{}",
    });
    expect(again.status).toBe(409);
  });

  it("lists generations newest first, page by page", async () => {
    const small = { prompt: "a pebble", model: "local", parameters: { width: 64, height: 64 } };
    for (let i = 0; i < 3; i++) await createAsync(small);
    const first = (await (
      await fetch(`${system.baseUrl}/api/v2/generations?page_size=2`, { headers: auth() })
    ).json()) as Record<string, any>;
    expect(first.generations).toHaveLength(2);
    expect(first.next_page_token).not.toBe("");
    const second = (await (
      await fetch(`${system.baseUrl}/api/v2/generations?page_size=2&page_token=${first.next_page_token}`, {
        headers: auth(),
      })
    ).json()) as Record<string, any>;
    const ids = [...first.generations, ...second.generations].map((g: any) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    const bad = await fetch(`${system.baseUrl}/api/v2/generations?page_token=garbage`, { headers: auth() });
    expect(bad.status).toBe(400);
  });
});
