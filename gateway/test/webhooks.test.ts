import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { BadRequestSchema, ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { WebhookService } from "@imagegen/proto/imagegen/v1/webhook_service_pb";
import sharp from "sharp";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../services/front/src/webhooks/webhook-signature.ts";
import { configWithTiers, METERED_LOCAL } from "./front-rules-helpers.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from "./support/webhook-receiver.ts";

let system: RunningSystem;
let receiver: WebhookReceiver;
let receiverUrl: string;
let received: ReceivedDelivery[];

beforeAll(async () => {
  // It fails the first delivery of each message to /flaky, to exercise the retry.
  receiver = await startWebhookReceiver();
  ({ url: receiverUrl, received } = receiver);
  // METERED_LOCAL renders offline and costs credits, so "nothing charged" can be told from "free".
  system = await startSystem({
    IMAGEGEN_FETCH_ALLOW_HOSTS: `127.0.0.1:${receiver.port}`,
    IMAGEGEN_CONFIG: configWithTiers(),
  });
});
afterAll(async () => {
  await system?.stop();
  receiver?.close();
});

const auth = () => ({ authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" });
const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(system.baseUrl + path, {
    method: "POST",
    headers: { ...auth(), ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, any> };
};
const get = async (path: string) => {
  const res = await fetch(system.baseUrl + path, { headers: auth() });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};
/** The deliveries that reached `path` on the test receiver (query string included). */
const at = (path: string) => received.filter((r) => r.path === path);
/** Standard Webhooks headers as the library wants them (plain strings). */
const signatureHeaders = (r: ReceivedDelivery) => ({
  "webhook-id": String(r.headers["webhook-id"]),
  "webhook-timestamp": String(r.headers["webhook-timestamp"]),
  "webhook-signature": String(r.headers["webhook-signature"]),
});
const SMALL = { parameters: { width: 64, height: 64 } };
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
    const secret = `whsec_${Buffer.from("a-very-secret-key-of-32-bytes!!!").toString("base64")}`;
    const created = await post("/api/v2/webhooks", {
      url: `${receiverUrl}/flaky`,
      events: ["generation.completed"],
      secret,
      retry_policy: { max_retries: 3, retry_delay_seconds: 1 },
    });
    const generation = await post("/api/v2/generate/text-to-image", {
      prompt: "a kite",
      model: "local",
      parameters: { width: 64, height: 64 },
    });
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
    expect(payload.data).toMatchObject({
      generation_id: generation.json.id,
      model: "local",
      prompt: "a kite",
      cost: { credits: 0, usd: 0 },
    });
    expect(payload.data.images[0]).toEqual({
      id: generation.json.images[0].id,
      url: expect.stringContaining("/images/"),
    });

    const log = await fetch(`${system.baseUrl}/api/v2/webhooks/${created.json.webhook.id}/deliveries`, {
      headers: auth(),
    });
    const deliveries = ((await log.json()) as any).deliveries;
    expect(deliveries.map((d: any) => [d.attempt, d.status, d.response_status])).toEqual([
      [2, "delivered", 204],
      [1, "pending", 500],
    ]);
  });

  it("refuses a target on a private address", async () => {
    const { status, json } = await post("/api/v2/webhooks", {
      url: "http://169.254.169.254/latest",
      events: ["generation.completed"],
    });
    expect(status).toBe(400);
    expect(json.error.details.field).toBe("url");
  });

  it("generates a whsec_ secret for a webhook registered without one, returned once; deliveries verify with standardwebhooks", async () => {
    const created = await post("/api/v2/webhooks", {
      url: `${receiverUrl}/generated`,
      events: ["generation.completed"],
    });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
    const id = created.json.webhook.id as string;
    expect(JSON.stringify((await get(`/api/v2/webhooks/${id}`)).json)).not.toContain(secret.slice(6));
    expect(JSON.stringify((await get("/api/v2/webhooks")).json)).not.toContain(secret.slice(6));

    const generation = await post("/api/v2/generate/text-to-image", { prompt: "a heron", model: "local", ...SMALL });
    expect(generation.status).toBe(200);
    await waitFor(() => at("/generated").length >= 1 && at("/seed").some((r) => r.body.includes(generation.json.id)));
    const delivery = at("/generated")[0]!;
    const payload = new Webhook(secret).verify(delivery.body, signatureHeaders(delivery)) as Record<string, any>;
    expect(payload.data.generation_id).toBe(generation.json.id);

    // Seed 004's plain secret is the HMAC key as its bytes: the library's raw-key option.
    const seed = at("/seed").find((r) => r.body.includes(generation.json.id))!;
    expect(() =>
      new Webhook("webhook_secret_key_123", { format: "raw" }).verify(seed.body, signatureHeaders(seed)),
    ).not.toThrow();
    expect(() =>
      new Webhook(new TextEncoder().encode("webhook_secret_key_123"), { format: "raw" }).verify(
        seed.body,
        signatureHeaders(seed),
      ),
    ).not.toThrow();
    expect(() => new Webhook(secret).verify(seed.body, signatureHeaders(seed))).toThrow(WebhookVerificationError);
  });

  it("signs a request's own webhook_url with the owner's default secret, and a rotation retires the old one", async () => {
    const first = await get("/api/v2/webhooks/default/secret");
    expect(first.status).toBe(200);
    expect(Object.keys(first.json)).toEqual(["secret"]);
    const old = first.json.secret as string;
    expect(old).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect((await get("/api/v2/webhooks/default/secret")).json.secret).toBe(old);
    // The same secret over gRPC: one RPC behind every surface.
    const grpc = createClient(WebhookService, createGrpcTransport({ baseUrl: system.baseUrl }));
    expect((await grpc.getDefaultWebhookSecret({}, { headers: auth() })).secret).toBe(old);

    const before = await post("/api/v2/generate/text-to-image", {
      prompt: "a wren",
      model: "local",
      webhook_url: `${receiverUrl}/adhoc?n=1`,
      ...SMALL,
    });
    expect(before.status).toBe(200);
    await waitFor(() => at("/adhoc?n=1").length >= 1);
    const signedBefore = at("/adhoc?n=1")[0]!;
    expect(new Webhook(old).verify(signedBefore.body, signatureHeaders(signedBefore))).toMatchObject({
      data: { generation_id: before.json.id },
    });

    // Bodiless, as the guide's curl sends it.
    const rotated = await fetch(`${system.baseUrl}/api/v2/webhooks/default/secret:rotate`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    expect(rotated.status).toBe(200);
    const fresh = ((await rotated.json()) as { secret: string }).secret;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect((await get("/api/v2/webhooks/default/secret")).json.secret).toBe(fresh);

    const after = await post("/api/v2/generate/text-to-image", {
      prompt: "a wren",
      model: "local",
      webhook_url: `${receiverUrl}/adhoc?n=2`,
      ...SMALL,
    });
    await waitFor(() => at("/adhoc?n=2").length >= 1);
    const signedAfter = at("/adhoc?n=2")[0]!;
    expect(new Webhook(fresh).verify(signedAfter.body, signatureHeaders(signedAfter))).toMatchObject({
      data: { generation_id: after.json.id },
    });
    expect(() => new Webhook(old).verify(signedAfter.body, signatureHeaders(signedAfter))).toThrow(
      WebhookVerificationError,
    );
  });

  describe("a request's own webhook_url is refused when it arrives, like a registered url", () => {
    /** What a refused request must not have changed: the owner's generations and credits. */
    const ledger = async () => ({
      generations: (await get("/api/v2/generations?page_size=100")).json.generations?.length ?? 0,
      credits: (await get("/api/v2/user/profile")).json.user.usage.credits_remaining as number,
    });

    it("answers file:///etc/passwd with seed 004's envelope, byte for byte", async () => {
      const res = await post(
        "/api/v2/generate/text-to-image",
        { prompt: "a cat", webhook_url: "file:///etc/passwd", ...SMALL },
        { "x-request-id": "req_webhook_file" },
      );
      expect(res.status).toBe(400);
      const why = "webhook url refused: file: URLs are not fetched; use http or https";
      expect(res.text).toBe(
        JSON.stringify({
          error: {
            type: "validation_error",
            code: "INVALID_REQUEST",
            message: why,
            details: {
              field: "webhook_url",
              reason: "url.public",
              suggestion: why,
              violations: [{ field: "webhook_url", reason: "url.public", message: why }],
            },
            request_id: "req_webhook_file",
            documentation_url: `${system.baseUrl}/docs/errors#INVALID_REQUEST`,
          },
        }),
      );
    });

    it.each([
      ["text-to-image", "file:///etc/passwd"],
      ["text-to-image", "gopher://x"],
      ["text-to-image", "http://127.0.0.1:1/"],
      ["text-to-image", "http://169.254.169.254/"],
      ["image-to-image", "http://169.254.169.254/latest/meta-data"],
      ["inpaint", "file:///etc/passwd"],
      ["variations", "gopher://x"],
    ])("%s with %s → 400 INVALID_REQUEST naming webhook_url; nothing created or charged", async (operation, url) => {
      const png = `data:image/png;base64,${(
        await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3a6" } })
          .png()
          .toBuffer()
      ).toString("base64")}`;
      const bodies: Record<string, Record<string, unknown>> = {
        "text-to-image": { prompt: "a cat", model: METERED_LOCAL, ...SMALL },
        "image-to-image": { prompt: "a cat", init_image: png, ...SMALL },
        inpaint: { prompt: "a cat", init_image: png, mask_image: png, ...SMALL },
        variations: { image: png },
      };
      const before = await ledger();
      const res = await post(`/api/v2/generate/${operation}`, { ...bodies[operation], webhook_url: url });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: "INVALID_REQUEST", details: { field: "webhook_url" } });
      expect(await ledger()).toEqual(before);
    });

    it("charges the same request once its webhook_url is acceptable (the ledger above can move)", async () => {
      const before = await ledger();
      const res = await post("/api/v2/generate/text-to-image", {
        prompt: "a cat",
        model: METERED_LOCAL,
        webhook_url: `${receiverUrl}/adhoc?n=3`,
        ...SMALL,
      });
      expect(res.status).toBe(200);
      const after = await ledger();
      expect(after.generations).toBe(before.generations + 1);
      expect(after.credits).toBeLessThan(before.credits);
    });

    it("over gRPC: INVALID_ARGUMENT with a BadRequest violation of webhook_url", async () => {
      const client = createClient(ImageService, createGrpcTransport({ baseUrl: system.baseUrl }));
      const error = await client
        .textToImage({ prompt: "a cat", webhookUrl: "file:///etc/passwd" }, { headers: auth() })
        .then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
      expect(error?.code).toBe(Code.InvalidArgument);
      expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INVALID_REQUEST");
      expect(error?.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("webhook_url");
    });
  });

  it("never writes a webhook secret to the logs", async () => {
    const secrets = [(await get("/api/v2/webhooks/default/secret")).json.secret as string, "webhook_secret_key_123"];
    for (const secret of secrets) expect(system.output()).not.toContain(secret);
  });

  it("hides another owner's webhook behind NOT_FOUND", async () => {
    const res = await fetch(`${system.baseUrl}/api/v2/webhooks/webhook_nope`, { headers: auth() });
    expect(res.status).toBe(404);
  });
});
