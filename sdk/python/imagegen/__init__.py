"""The official Python SDK of the imagegen API (standard library only).

    from imagegen import ImageGenClient
    client = ImageGenClient(api_key="...", base_url="http://localhost:8080")
    result = client.generate.text_to_image(prompt="...", model="stable-diffusion-xl")
    print(result.images[0].url)
"""
from ._client import DEFAULT_BASE_URL, ImageGenClient, new_idempotency_key
from ._errors import ERROR_TABLE, ImageGenError, WebhookVerificationError
from ._objects import ApiObject
from ._transport import SDK_VERSION
from ._webhooks import verify_webhook

__all__ = [
    "ApiObject",
    "DEFAULT_BASE_URL",
    "ERROR_TABLE",
    "ImageGenClient",
    "ImageGenError",
    "SDK_VERSION",
    "WebhookVerificationError",
    "new_idempotency_key",
    "verify_webhook",
]
__version__ = SDK_VERSION
