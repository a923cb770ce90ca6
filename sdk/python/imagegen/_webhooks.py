"""Standard Webhooks verification of imagegen deliveries."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping, Optional, Union

from ._errors import WebhookVerificationError
from ._objects import ApiObject, wrap

TOLERANCE_SECONDS = 300


def verify_webhook(payload: Union[bytes, str], headers: Mapping[str, Any], secret: str, now: Optional[float] = None) -> ApiObject:
    """Verifies a webhook delivery and returns its event (``event``, ``timestamp``, ``data``).

    The HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{raw body}`` must match one ``v1,<base64>``
    entry of ``webhook-signature``, and the timestamp must be within 5 minutes. The key of a
    ``whsec_`` secret is the base64 after the prefix; any other secret is its UTF-8 bytes. Pass the
    body exactly as received. Raises WebhookVerificationError otherwise.
    """
    lowered = {str(k).lower(): v for k, v in headers.items()}
    msg_id, timestamp, signatures = (lowered.get(n) for n in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header")
    if not str(timestamp).isdigit():
        raise WebhookVerificationError("webhook-timestamp is not Unix seconds")
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        raise WebhookVerificationError("webhook-timestamp is more than 5 minutes away")
    body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    if secret.startswith("whsec_"):
        try:
            key = base64.b64decode(secret[len("whsec_"):], validate=True)
        except (binascii.Error, ValueError):
            raise WebhookVerificationError("a whsec_ secret must continue with base64") from None
    else:
        key = secret.encode("utf-8")
    signed = f"{msg_id}.{timestamp}.".encode("utf-8") + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")
    for entry in str(signatures).split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return wrap(json.loads(body.decode("utf-8")))
    raise WebhookVerificationError("no webhook-signature matches this body and secret")
