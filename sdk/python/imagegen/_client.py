"""ImageGenClient and its namespaces, one per part of the REST API (/api/v2/...)."""
from __future__ import annotations

import os
import secrets
import urllib.parse
from typing import Any, Dict, Iterable, Mapping, Optional, Union

from ._errors import ImageGenError
from ._generations import DEFAULT_WAIT_TIMEOUT, TERMINAL, Generations
from ._objects import ApiObject, wrap
from ._transport import Config, Transport
from ._webhooks import verify_webhook

DEFAULT_BASE_URL = "https://api.imagegen.app"
Json = Mapping[str, Any]


def _body(request: Optional[Json], fields: Dict[str, Any]) -> Dict[str, Any]:
    """A request body from a mapping and/or keyword fields; None values are left out."""
    merged = {**dict(request or {}), **fields}
    return {key: value for key, value in merged.items() if value is not None}


def _quote(value: str) -> str:
    if not value:
        raise ValueError("an id is required")
    return urllib.parse.quote(value, safe="")


def new_idempotency_key() -> str:
    """A random Idempotency-Key: "sdk_" and 32 hex digits (128 bits)."""
    return "sdk_" + secrets.token_hex(16)


class _Namespace:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _get(self, path: str, **query: Any) -> Any:
        return wrap(self._transport.call("GET", path, query=query, retry_on_network_error=True))

    def _create(self, path: str, body: Dict[str, Any], idempotency_key: Optional[str], **kwargs: Any) -> Any:
        # A new key per call, the same on every retry of it: the server answers a repeat with
        # what the first attempt made.
        return wrap(self._transport.call("POST", path, body=body, idempotency_key=idempotency_key or new_idempotency_key(), **kwargs))


class Generate(_Namespace):
    """client.generate: the create calls; each returns the finished generation."""

    def __init__(self, transport: Transport, generations: Generations) -> None:
        super().__init__(transport)
        self._generations = generations

    def text_to_image(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, respond_async: bool = False, wait_timeout: float = DEFAULT_WAIT_TIMEOUT, **fields: Any) -> ApiObject:
        """POST /api/v2/generate/text-to-image (prompt=, model=, negative_prompt=, parameters={...}, style=, output=, metadata=, ...)."""
        return self._run("/api/v2/generate/text-to-image", _body(request, fields), idempotency_key, respond_async, wait_timeout)

    def image_to_image(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, respond_async: bool = False, wait_timeout: float = DEFAULT_WAIT_TIMEOUT, **fields: Any) -> ApiObject:
        """POST /api/v2/generate/image-to-image (init_image=, prompt=, strength=, ...)."""
        return self._run("/api/v2/generate/image-to-image", _body(request, fields), idempotency_key, respond_async, wait_timeout)

    def inpaint(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, respond_async: bool = False, wait_timeout: float = DEFAULT_WAIT_TIMEOUT, **fields: Any) -> ApiObject:
        """POST /api/v2/generate/inpaint (init_image=, mask_image=, prompt=, ...)."""
        return self._run("/api/v2/generate/inpaint", _body(request, fields), idempotency_key, respond_async, wait_timeout)

    def variations(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, respond_async: bool = False, wait_timeout: float = DEFAULT_WAIT_TIMEOUT, **fields: Any) -> ApiObject:
        """POST /api/v2/generate/variations (image=, num_outputs=, ...)."""
        return self._run("/api/v2/generate/variations", _body(request, fields), idempotency_key, respond_async, wait_timeout)

    def _run(self, path: str, body: Dict[str, Any], idempotency_key: Optional[str], respond_async: bool, wait_timeout: float) -> ApiObject:
        headers = {"Prefer": "respond-async"} if respond_async else None
        generation = self._create(path, body, idempotency_key, headers=headers, retry_on_network_error=True)
        if respond_async:
            return generation
        # The server answers 202 when the generation outlives its wait bound: keep waiting here.
        if generation.get("status") not in TERMINAL:
            generation = self._generations.wait(generation["id"], timeout=wait_timeout)
        if generation.get("status") == "failed":
            error = generation.get("error") or {}
            raise ImageGenError.from_code(str(error.get("reason") or "generation_failed").upper(), f"generation {generation['id']} failed: {error.get('message', '')}")
        if generation.get("status") == "canceled":
            raise ImageGenError.from_code("CANCELED", f"generation {generation['id']} was canceled")
        return generation


class Process(_Namespace):
    """client.process: operations on an image you already have."""

    def filters(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/process/filters (image_url=, filters=[{"type": "blur", "radius": 2}], ...)."""
        return self._create("/api/v2/process/filters", _body(request, fields), idempotency_key)

    def remove_background(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/process/remove-background (image_url=, mode=, ...)."""
        return self._create("/api/v2/process/remove-background", _body(request, fields), idempotency_key)

    def upscale(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/process/upscale (image_url=, scale_factor=, ...)."""
        return self._create("/api/v2/process/upscale", _body(request, fields), idempotency_key)


class Models(_Namespace):
    """client.models."""

    def list(self, capability: Optional[str] = None) -> ApiObject:
        """GET /api/v2/models (``models``)."""
        return self._get("/api/v2/models", capability=capability)

    def get(self, model_id: str) -> ApiObject:
        """GET /api/v2/models/{model_id} (``model``)."""
        return self._get(f"/api/v2/models/{_quote(model_id)}")


class Gallery(_Namespace):
    """client.gallery."""

    def list(self, **query: Union[str, int, Iterable[str], None]) -> ApiObject:
        """GET /api/v2/gallery (page=, limit=, sort=, order=, tags=[...], model=, date_from=, date_to=)."""
        return self._get("/api/v2/gallery", **query)

    def add(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/gallery/items (image_id=, title=, tags=, is_public=, collections=)."""
        return self._create("/api/v2/gallery/items", _body(request, fields), idempotency_key)

    def delete(self, item_id: str) -> None:
        """DELETE /api/v2/gallery/items/{id}."""
        self._transport.call("DELETE", f"/api/v2/gallery/items/{_quote(item_id)}", retry_on_network_error=True)


class Collections(_Namespace):
    """client.collections."""

    def create(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/collections (name=, description=, is_public=, cover_image_id=)."""
        return self._create("/api/v2/collections", _body(request, fields), idempotency_key)

    def list(self, page_size: Optional[int] = None, page_token: Optional[str] = None) -> ApiObject:
        """GET /api/v2/collections."""
        return self._get("/api/v2/collections", page_size=page_size, page_token=page_token)

    def get(self, collection_id: str) -> ApiObject:
        """GET /api/v2/collections/{id}."""
        return self._get(f"/api/v2/collections/{_quote(collection_id)}")

    def update(self, collection_id: str, changes: Optional[Json] = None, **fields: Any) -> ApiObject:
        """PATCH /api/v2/collections/{id}: changes the fields given."""
        return wrap(self._transport.call("PATCH", f"/api/v2/collections/{_quote(collection_id)}", body=_body(changes, fields)))

    def delete(self, collection_id: str) -> None:
        """DELETE /api/v2/collections/{id}."""
        self._transport.call("DELETE", f"/api/v2/collections/{_quote(collection_id)}", retry_on_network_error=True)


class Webhooks(_Namespace):
    """client.webhooks."""

    def create(self, request: Optional[Json] = None, *, idempotency_key: Optional[str] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/webhooks (url=, events=[...], secret=, active=, retry_policy=)."""
        return self._create("/api/v2/webhooks", _body(request, fields), idempotency_key)

    def list(self) -> ApiObject:
        """GET /api/v2/webhooks."""
        return self._get("/api/v2/webhooks")

    def get(self, webhook_id: str) -> ApiObject:
        """GET /api/v2/webhooks/{id}."""
        return self._get(f"/api/v2/webhooks/{_quote(webhook_id)}")

    def update(self, webhook_id: str, changes: Optional[Json] = None, **fields: Any) -> ApiObject:
        """PATCH /api/v2/webhooks/{id}: changes the fields given."""
        return wrap(self._transport.call("PATCH", f"/api/v2/webhooks/{_quote(webhook_id)}", body=_body(changes, fields)))

    def delete(self, webhook_id: str) -> None:
        """DELETE /api/v2/webhooks/{id}."""
        self._transport.call("DELETE", f"/api/v2/webhooks/{_quote(webhook_id)}", retry_on_network_error=True)

    def deliveries(self, webhook_id: str, page_size: Optional[int] = None, page_token: Optional[str] = None) -> ApiObject:
        """GET /api/v2/webhooks/{id}/deliveries: every delivery attempt."""
        return self._get(f"/api/v2/webhooks/{_quote(webhook_id)}/deliveries", page_size=page_size, page_token=page_token)

    def default_secret(self) -> ApiObject:
        """GET /api/v2/webhooks/default/secret: the secret that signs requests' own webhook_url events."""
        return self._get("/api/v2/webhooks/default/secret")

    def rotate_default_secret(self) -> ApiObject:
        """POST /api/v2/webhooks/default/secret:rotate: a new default secret; the old one signs nothing more."""
        return self._create("/api/v2/webhooks/default/secret:rotate", {}, None)


class Integrations(_Namespace):
    """client.integrations: the owner's Dropbox / Google Drive, where finished images are uploaded."""

    def services(self) -> ApiObject:
        """GET /api/v2/integrations/services: which services this deployment can connect."""
        return self._get("/api/v2/integrations/services")

    def authorize_url(self, service: str, redirect_uri: Optional[str] = None) -> ApiObject:
        """GET /api/v2/integrations/{service}/authorize-url: the consent page, its state and PKCE code_verifier."""
        return self._get(f"/api/v2/integrations/{_quote(service)}/authorize-url", redirect_uri=redirect_uri)

    def connect(self, request: Optional[Json] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/integrations/connect (service=, auth_code=, redirect_uri=, code_verifier=, settings=). A code is single-use: not resent after a network error."""
        return wrap(self._transport.call("POST", "/api/v2/integrations/connect", body=_body(request, fields)))

    def list(self) -> ApiObject:
        """GET /api/v2/integrations."""
        return self._get("/api/v2/integrations")

    def get(self, integration_id: str) -> ApiObject:
        """GET /api/v2/integrations/{id}."""
        return self._get(f"/api/v2/integrations/{_quote(integration_id)}")

    def update(self, integration_id: str, changes: Optional[Json] = None, **fields: Any) -> ApiObject:
        """PATCH /api/v2/integrations/{id}: changes the settings given (settings={...})."""
        return wrap(self._transport.call("PATCH", f"/api/v2/integrations/{_quote(integration_id)}", body=_body(changes, fields)))

    def delete(self, integration_id: str) -> None:
        """DELETE /api/v2/integrations/{id}: revokes the token at the service; nothing is uploaded after it."""
        self._transport.call("DELETE", f"/api/v2/integrations/{_quote(integration_id)}", retry_on_network_error=True)

    def uploads(self, integration_id: str, page_size: Optional[int] = None) -> ApiObject:
        """GET /api/v2/integrations/{id}/uploads: newest first."""
        return self._get(f"/api/v2/integrations/{_quote(integration_id)}/uploads", page_size=page_size)


class User(_Namespace):
    """client.user."""

    def profile(self) -> ApiObject:
        """GET /api/v2/user/profile (``user``)."""
        return self._get("/api/v2/user/profile")

    def update_preferences(self, preferences: Optional[Json] = None, **fields: Any) -> ApiObject:
        """PATCH /api/v2/user/preferences (default_model=, default_size=, nsfw_filter=, auto_save_gallery=)."""
        return wrap(self._transport.call("PATCH", "/api/v2/user/preferences", body=_body(preferences, fields)))


class OAuthApps(_Namespace):
    """client.oauth_apps: third-party applications acting for users through OAuth 2.0 (API keys only)."""

    def create(self, request: Optional[Json] = None, **fields: Any) -> ApiObject:
        """POST /api/v2/oauth/apps (name=, redirect_uris=[...], scopes=[...], confidential=); a confidential app's client_secret is in the answer, once."""
        # No automatic retry: a repeat would register a second app.
        return wrap(self._transport.call("POST", "/api/v2/oauth/apps", body=_body(request, fields)))

    def list(self) -> ApiObject:
        """GET /api/v2/oauth/apps."""
        return self._get("/api/v2/oauth/apps")

    def get(self, client_id: str) -> ApiObject:
        """GET /api/v2/oauth/apps/{client_id}."""
        return self._get(f"/api/v2/oauth/apps/{_quote(client_id)}")

    def delete(self, client_id: str) -> None:
        """DELETE /api/v2/oauth/apps/{client_id}: every code and token of the app is revoked at once."""
        self._transport.call("DELETE", f"/api/v2/oauth/apps/{_quote(client_id)}", retry_on_network_error=True)


class ImageGenClient:
    """The imagegen API. ``api_key`` (an API key or OAuth access token) and ``base_url`` (the
    server root, e.g. ``http://localhost:8080``) default to IMAGEGEN_API_KEY and
    IMAGEGEN_BASE_URL, then to https://api.imagegen.app. Calls answered 429/503 are retried up
    to ``max_retries`` times after Retry-After (at most ``max_retry_delay`` seconds); each
    attempt waits at most ``timeout`` seconds for bytes from the server.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        max_retries: int = 2,
        max_retry_delay: float = 60.0,
        timeout: float = 180.0,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        key = api_key or os.environ.get("IMAGEGEN_API_KEY")
        if not key:
            raise ValueError("ImageGenClient: api_key is required (or set IMAGEGEN_API_KEY)")
        config = Config(
            api_key=key,
            base_url=base_url or os.environ.get("IMAGEGEN_BASE_URL") or DEFAULT_BASE_URL,
            max_retries=max_retries,
            max_retry_delay=max_retry_delay,
            timeout=timeout,
            headers=dict(headers or {}),
        )
        transport = Transport(config)
        self.generations = Generations(transport)
        self.generate = Generate(transport, self.generations)
        self.process = Process(transport)
        self.models = Models(transport)
        self.gallery = Gallery(transport)
        self.collections = Collections(transport)
        self.webhooks = Webhooks(transport)
        self.integrations = Integrations(transport)
        self.user = User(transport)
        self.oauth_apps = OAuthApps(transport)

    verify_webhook = staticmethod(verify_webhook)
