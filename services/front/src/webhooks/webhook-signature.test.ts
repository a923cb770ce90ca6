import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook, webhookKey } from "./webhook-signature.ts";

describe("Standard Webhooks signatures", () => {
  // The example of the Standard Webhooks specification.
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it("matches the specification's published example", () => {
    expect(signWebhook(secret, id, timestamp, body)["webhook-signature"]).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("uses a non-whsec secret as its UTF-8 bytes", () => {
    const expected = createHmac("sha256", Buffer.from("webhook_secret_key_123")).update(`${id}.${timestamp}.${body}`).digest("base64");
    expect(signWebhook("webhook_secret_key_123", id, timestamp, body)["webhook-signature"]).toBe(`v1,${expected}`);
    expect(webhookKey("webhook_secret_key_123").toString()).toBe("webhook_secret_key_123");
  });

  it.each([
    ["a valid signature", body, timestamp, true],
    ["a changed body", body + " ", timestamp, false],
    ["a replay outside the tolerance", body, timestamp + 301, false],
  ])("verifies %s", (_, receivedBody, now, ok) => {
    const headers = signWebhook(secret, id, timestamp, body);
    expect(verifyWebhook(secret, headers, receivedBody, now)).toBe(ok);
  });
});
