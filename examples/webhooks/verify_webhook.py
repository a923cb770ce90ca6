import base64
import hashlib
import hmac
import time


def verify_webhook(secret: str, headers: dict, raw_body: bytes, tolerance_seconds: int = 300) -> bool:
    """Verifies an imagegen webhook (Standard Webhooks). `headers` keys are lowercase;
    `raw_body` is the body exactly as received."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp.isdigit() or not signatures:
        return False
    if abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False  # too old or from the future: refuse replays
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + raw_body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(candidate, expected) for candidate in signatures.split(" "))
