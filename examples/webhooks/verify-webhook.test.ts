import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../services/front/src/webhooks/webhook-signature.ts";
import { verifyWebhook } from "./verify-webhook.ts";

const run = promisify(execFile);
const body = JSON.stringify({
  event: "generation.completed",
  timestamp: "2024-01-01T00:00:00Z",
  data: { generation_id: "gen_1" },
});
const now = () => Math.floor(Date.now() / 1000);

// The receivers' code from docs/async-and-webhooks.md against the signer the front really uses.
describe("the documented webhook verification", () => {
  for (const secret of ["webhook_secret_key_123", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]) {
    it(`accepts what the front signs and refuses tampering (secret ${secret.slice(0, 6)}…), in TypeScript`, () => {
      const headers = new Headers(signWebhook(secret, "msg_1", now(), body));
      expect(verifyWebhook(secret, headers, body)).toBe(true);
      expect(verifyWebhook(secret, headers, body.replace("gen_1", "gen_2"))).toBe(false);
      expect(verifyWebhook("another-secret-value", headers, body)).toBe(false);
      const old = new Headers(signWebhook(secret, "msg_1", now() - 3600, body));
      expect(verifyWebhook(secret, old, body)).toBe(false);
    });

    it(`accepts what the front signs and refuses tampering (secret ${secret.slice(0, 6)}…), in Python`, async () => {
      const headers = signWebhook(secret, "msg_1", now(), body);
      const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(import.meta.dirname)})
from verify_webhook import verify_webhook
h = json.loads(sys.argv[1]); b = sys.argv[2].encode()
print(verify_webhook(${JSON.stringify(secret)}, h, b), verify_webhook(${JSON.stringify(secret)}, h, b + b" "))`;
      const { stdout } = await run("python3", ["-c", script, JSON.stringify(headers), body]);
      expect(stdout.trim()).toBe("True False");
    });
  }

  it("is the code the guide shows", () => {
    const guide = readFileSync(join(import.meta.dirname, "..", "..", "docs", "async-and-webhooks.md"), "utf8");
    for (const file of ["verify-webhook.ts", "verify_webhook.py"]) {
      expect(guide, file).toContain(readFileSync(join(import.meta.dirname, file), "utf8").trim());
    }
  });
});
