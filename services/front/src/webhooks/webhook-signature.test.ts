import { createHmac } from "node:crypto";
import { describeError } from "@imagegen/errors";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { checkGivenSecret, newWebhookSecret, signWebhook, verifyWebhook, webhookKey } from "./webhook-signature.ts";

describe("Standard Webhooks signatures", () => {
  // The example of the Standard Webhooks specification.
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it("matches the specification's published example", () => {
    expect(signWebhook(secret, id, timestamp, body)["webhook-signature"]).toBe(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("uses a non-whsec secret as its UTF-8 bytes", () => {
    const expected = createHmac("sha256", Buffer.from("webhook_secret_key_123"))
      .update(`${id}.${timestamp}.${body}`)
      .digest("base64");
    expect(signWebhook("webhook_secret_key_123", id, timestamp, body)["webhook-signature"]).toBe(`v1,${expected}`);
    expect(webhookKey("webhook_secret_key_123").toString()).toBe("webhook_secret_key_123");
  });

  it.each([
    ["a valid signature", body, timestamp, true],
    ["a changed body", `${body} `, timestamp, false],
    ["a replay outside the tolerance", body, timestamp + 301, false],
  ])("verifies %s", (_, receivedBody, now, ok) => {
    const headers = signWebhook(secret, id, timestamp, body);
    expect(verifyWebhook(secret, headers, receivedBody, now)).toBe(ok);
  });
});

// What receivers run: the reference Standard Webhooks library, with its own HMAC and base64.
describe("interop with the standardwebhooks npm package", () => {
  const id = "msg_interop";
  const body = JSON.stringify({ event: "generation.completed", data: { prompt: "ünïcødé ✓" } });
  const now = () => Math.floor(Date.now() / 1000);

  it("verifies a generated whsec_ secret with the library's defaults", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(new Webhook(secret).verify(body, signWebhook(secret, id, now(), body))).toEqual(JSON.parse(body));
  });

  it("verifies seed 004's plain secret as raw key bytes, which the defaults cannot load", () => {
    const secret = "webhook_secret_key_123";
    const headers = signWebhook(secret, id, now(), body);
    expect(() => new Webhook(secret, { format: "raw" }).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(new TextEncoder().encode(secret), { format: "raw" }).verify(body, headers)).not.toThrow();
    // Without the option the library reads it as base64 and refuses it before verifying anything.
    expect(() => new Webhook(secret)).toThrow(/Base64/);
  });

  it("verifies a non-ASCII plain secret when the receiver passes its UTF-8 bytes", () => {
    // The library's string "raw" form keeps one byte per UTF-16 unit; the docs say to pass bytes.
    const secret = "clé-secrète-ünïcødé";
    const headers = signWebhook(secret, id, now(), body);
    expect(() => new Webhook(new TextEncoder().encode(secret), { format: "raw" }).verify(body, headers)).not.toThrow();
  });

  it("refuses a delivery signed with another secret", () => {
    const headers = signWebhook(newWebhookSecret(), id, now(), body);
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });
});

describe("a caller's own whsec_ secret", () => {
  it.each([
    ["a plain secret", "webhook_secret_key_123"],
    ["canonical base64 of 24 bytes", `whsec_${Buffer.alloc(24, 7).toString("base64")}`],
  ])("accepts %s", (_, secret) => {
    expect(() => checkGivenSecret(secret)).not.toThrow();
  });

  it.each([
    ["not base64", "whsec_not*base64*at*all!!"],
    ["unpadded base64", `whsec_${Buffer.alloc(17, 7).toString("base64").replace(/=+$/, "")}`],
    ["a key under 16 bytes", `whsec_${Buffer.alloc(15, 7).toString("base64")}`],
  ])("refuses %s with INVALID_REQUEST naming secret, without echoing it", (_, secret) => {
    const error = (() => {
      try {
        checkGivenSecret(secret);
      } catch (e) {
        return describeError(e);
      }
    })();
    expect(error?.row.name).toBe("INVALID_REQUEST");
    expect(error?.fieldViolations[0]?.field).toBe("secret");
    expect(JSON.stringify(error)).not.toContain(secret.slice(6));
  });
});
