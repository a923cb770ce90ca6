import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { ImageGenClient, WebhookVerificationError } from "../src/index.ts";

const body = JSON.stringify({
  event: "generation.completed",
  timestamp: "2024-01-01T00:00:00Z",
  data: { generation_id: "gen_abc123", images: [{ id: "img_001", url: "https://x/1.png" }] },
});
const now = () => Math.floor(Date.now() / 1000);

/** Signs like the front does: HMAC-SHA256 over id.timestamp.body with the secret's key bytes. */
function sign(secret: string, id = "msg_1", timestamp = now(), payload = body): Record<string, string> {
  const key = secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${payload}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
}

describe("ImageGenClient.verifyWebhook", () => {
  const whsec = `whsec_${Buffer.from("0123456789abcdef01234567").toString("base64")}`;

  it("accepts what the standardwebhooks library signs with a whsec_ secret, and camelCases the event", async () => {
    const timestamp = new Date();
    const signature = new Webhook(whsec).sign("msg_std", timestamp, body);
    const headers = new Headers({
      "webhook-id": "msg_std",
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "webhook-signature": signature,
    });
    const event = await ImageGenClient.verifyWebhook(body, headers, whsec);
    expect(event.event).toBe("generation.completed");
    expect(event.data.generationId).toBe("gen_abc123");
  });

  it("uses a plain secret's UTF-8 bytes (seed 004's webhook_secret_key_123, and non-ASCII)", async () => {
    for (const secret of ["webhook_secret_key_123", "clé-secrète-ü-0123456789"]) {
      await expect(ImageGenClient.verifyWebhook(body, sign(secret), secret)).resolves.toMatchObject({
        event: "generation.completed",
      });
    }
  });

  it("accepts bytes and Node-style header records, and any matching entry of a rotated signature list", async () => {
    const headers = sign(whsec);
    const rotated = { ...headers, "Webhook-Signature": `v1,AAAA ${headers["webhook-signature"]}` };
    delete (rotated as Record<string, string>)["webhook-signature"];
    await expect(ImageGenClient.verifyWebhook(new TextEncoder().encode(body), rotated, whsec)).resolves.toBeTruthy();
  });

  it.each([
    ["a wrong secret", () => [body, sign("another_secret_0123456")] as const],
    ["a changed body", () => [body.replace("gen_abc123", "gen_evil"), sign(whsec)] as const],
    ["a timestamp 6 minutes old", () => [body, sign(whsec, "msg_1", now() - 360)] as const],
    ["a missing header", () => [body, { "webhook-id": "msg_1", "webhook-timestamp": String(now()) }] as const],
    ["a non-numeric timestamp", () => [body, { ...sign(whsec), "webhook-timestamp": "yesterday" }] as const],
    [
      "an unknown signature version",
      () =>
        [
          body,
          { ...sign(whsec), "webhook-signature": sign(whsec)["webhook-signature"]!.replace("v1,", "v2,") },
        ] as const,
    ],
  ])("refuses %s", async (_name, make) => {
    const [payload, headers] = make();
    await expect(ImageGenClient.verifyWebhook(payload, headers, whsec)).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );
  });
});
