import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../services/front/src/webhooks/webhook-signature.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let system: RunningSystem;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
// The receiver fails the first delivery of each message, to exercise the retry.
const failedOnce = new Set<string>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      const id = String(req.headers["webhook-id"]);
      if (req.url === "/flaky" && !failedOnce.has(id)) {
        failedOnce.add(id);
        res.writeHead(500).end();
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  receiverUrl = `http://127.0.0.1:${port}`;
  system = await startSystem({ IMAGEGEN_FETCH_ALLOW_HOSTS: `127.0.0.1:${port}` });
});
afterAll(async () => {
  await system?.stop();
  receiver?.close();
});

const auth = () => ({ authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" });
const post = async (path: string, body: unknown) => {
  const res = await fetch(system.baseUrl + path, { method: "POST", headers: auth(), body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};
async function waitFor(predicate: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for deliveries");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("webhooks", () => {
  it("registers with seed 004's request and answers with its shape, secret never echoed", async () => {
    const { status, json } = await post("/api/v2/webhooks", {
      url: `${receiverUrl}/seed`,
      events: ["generation.completed", "generation.failed", "process.completed"],
      secret: "webhook_secret_key_123",
      active: true,
      retry_policy: { max_retries: 3, retry_delay_seconds: 60 },
    });
    expect(status).toBe(201);
    expect(json.webhook).toMatchObject({
      url: `${receiverUrl}/seed`,
      events: ["generation.completed", "generation.failed", "process.completed"],
      active: true,
    });
    expect(json.webhook.id).toMatch(/^webhook_/);
    expect(json.webhook.created_at).toMatch(/Z$/);
    expect(JSON.stringify(json)).not.toContain("webhook_secret_key_123");
  });

  it("delivers one signed generation.completed event, retried with the same webhook-id after a failure", async () => {
    const secret = "whsec_" + Buffer.from("a-very-secret-key-of-32-bytes!!!").toString("base64");
    const created = await post("/api/v2/webhooks", {
      url: `${receiverUrl}/flaky`,
      events: ["generation.completed"],
      secret,
      retry_policy: { max_retries: 3, retry_delay_seconds: 1 },
    });
    const generation = await post("/api/v2/generate/text-to-image", { prompt: "a kite", model: "local", parameters: { width: 64, height: 64 } });
    expect(generation.status).toBe(200);
    await waitFor(() => received.filter((r) => r.path === "/flaky").length >= 2);
    const attempts = received.filter((r) => r.path === "/flaky");
    expect(new Set(attempts.map((a) => a.headers["webhook-id"])).size).toBe(1);
    for (const attempt of attempts) {
      const headers = attempt.headers as Record<string, string>;
      expect(verifyWebhook(secret, headers, attempt.body, Math.floor(Date.now() / 1000))).toBe(true);
    }
    const payload = JSON.parse(attempts[1]?.body ?? "{}");
    expect(Object.keys(payload)).toEqual(["event", "timestamp", "data"]);
    expect(payload.event).toBe("generation.completed");
    expect(payload.data).toMatchObject({ generation_id: generation.json.id, model: "local", prompt: "a kite", cost: { credits: 0, usd: 0 } });
    expect(payload.data.images[0]).toEqual({ id: generation.json.images[0].id, url: expect.stringContaining("/images/") });

    const log = await fetch(`${system.baseUrl}/api/v2/webhooks/${created.json.webhook.id}/deliveries`, { headers: auth() });
    const deliveries = ((await log.json()) as any).deliveries;
    expect(deliveries.map((d: any) => [d.attempt, d.status, d.response_status])).toEqual([
      [2, "delivered", 204],
      [1, "pending", 500],
    ]);
  });

  it("refuses a target on a private address", async () => {
    const { status, json } = await post("/api/v2/webhooks", { url: "http://169.254.169.254/latest", events: ["generation.completed"] });
    expect(status).toBe(400);
    expect(json.error.details.field).toBe("url");
  });

  it("hides another owner's webhook behind NOT_FOUND", async () => {
    const res = await fetch(`${system.baseUrl}/api/v2/webhooks/webhook_nope`, { headers: auth() });
    expect(res.status).toBe(404);
  });
});
