import base64
import hashlib
import hmac
import json
import time
import unittest

from imagegen import ImageGenClient, WebhookVerificationError

BODY = json.dumps({"event": "generation.completed", "timestamp": "2024-01-01T00:00:00Z", "data": {"generation_id": "gen_abc123"}})
WHSEC = "whsec_" + base64.b64encode(b"0123456789abcdef01234567").decode()


def sign(secret, msg_id="msg_1", timestamp=None, body=BODY):
    timestamp = int(time.time()) if timestamp is None else timestamp
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    signature = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()).decode()
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": f"v1,{signature}"}


class VerifyWebhookTest(unittest.TestCase):
    def test_whsec_and_plain_secrets(self):
        for secret in (WHSEC, "webhook_secret_key_123", "clé-secrète-ü-0123456789"):
            event = ImageGenClient.verify_webhook(BODY.encode(), sign(secret), secret)
            self.assertEqual(event.data.generation_id, "gen_abc123")

    def test_any_entry_of_a_rotated_list_and_any_header_case(self):
        headers = sign(WHSEC)
        headers = {"Webhook-Id": headers["webhook-id"], "Webhook-Timestamp": headers["webhook-timestamp"], "Webhook-Signature": "v1,AAAA " + headers["webhook-signature"]}
        self.assertEqual(ImageGenClient.verify_webhook(BODY, headers, WHSEC).event, "generation.completed")

    def test_refusals(self):
        cases = {
            "wrong secret": (BODY, sign("another_secret_0123456")),
            "changed body": (BODY.replace("gen_abc123", "gen_evil"), sign(WHSEC)),
            "old timestamp": (BODY, sign(WHSEC, timestamp=int(time.time()) - 360)),
            "missing header": (BODY, {"webhook-id": "msg_1", "webhook-timestamp": str(int(time.time()))}),
            "bad timestamp": (BODY, {**sign(WHSEC), "webhook-timestamp": "yesterday"}),
            "other version": (BODY, {**sign(WHSEC), "webhook-signature": sign(WHSEC)["webhook-signature"].replace("v1,", "v2,")}),
        }
        for name, (body, headers) in cases.items():
            with self.subTest(name), self.assertRaises(WebhookVerificationError):
                ImageGenClient.verify_webhook(body, headers, WHSEC)


if __name__ == "__main__":
    unittest.main()
