import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook } from "../../services/front/src/webhooks/webhook-signature.ts";
import { verifyImagegenWebhook } from "./verify-with-standardwebhooks.ts";

const event = { event: "generation.completed", timestamp: "2024-01-01T00:00:00Z", data: { generation_id: "gen_1" } };
const body = JSON.stringify(event);
const now = () => Math.floor(Date.now() / 1000);

// The guide's standardwebhooks snippet against the signer the front really uses.
describe("the documented standardwebhooks verification", () => {
  for (const secret of [newWebhookSecret(), "webhook_secret_key_123", "clé-secrète-ünïcødé"]) {
    it(`accepts what the front signs and refuses tampering (secret ${secret.slice(0, 6)}…)`, () => {
      const headers = signWebhook(secret, "msg_1", now(), body);
      expect(verifyImagegenWebhook(secret, body, headers)).toEqual(event);
      expect(() => verifyImagegenWebhook(secret, body.replace("gen_1", "gen_2"), headers)).toThrow(
        WebhookVerificationError,
      );
      expect(() => verifyImagegenWebhook("another-secret-value", body, headers)).toThrow(WebhookVerificationError);
      expect(() => verifyImagegenWebhook(secret, body, signWebhook(secret, "msg_1", now() - 3600, body))).toThrow(
        WebhookVerificationError,
      );
    });
  }

  it("is the code the guide shows", () => {
    const guide = readFileSync(join(import.meta.dirname, "..", "..", "docs", "async-and-webhooks.md"), "utf8");
    const code = readFileSync(join(import.meta.dirname, "verify-with-standardwebhooks.ts"), "utf8").trim();
    expect(guide).toContain(code);
  });
});
