"""The one error type of the SDK, and the error table of the API contract."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

# code -> (HTTP status, error type): the contract's error table (openapi.json x-error-table);
# tests/test_contract.py checks it against the contract.
ERROR_TABLE: Dict[str, "tuple[int, str]"] = {
    "UNAUTHORIZED": (401, "authentication_error"),
    "FORBIDDEN": (403, "permission_error"),
    "NOT_FOUND": (404, "not_found_error"),
    "INVALID_REQUEST": (400, "validation_error"),
    "INVALID_PROMPT": (400, "validation_error"),
    "INVALID_IMAGE": (400, "validation_error"),
    "RATE_LIMITED": (429, "rate_limit_error"),
    "QUOTA_EXCEEDED": (402, "quota_error"),
    "MODEL_NOT_AVAILABLE": (503, "service_unavailable"),
    "PROVIDER_NOT_CONFIGURED": (503, "service_unavailable"),
    "GENERATION_FAILED": (500, "generation_error"),
    "TIMEOUT": (504, "timeout_error"),
    "MAINTENANCE": (503, "service_unavailable"),
    "CONTENT_POLICY": (400, "content_policy_error"),
    "UNSUPPORTED": (400, "validation_error"),
    "PAYLOAD_TOO_LARGE": (413, "validation_error"),
    "IDEMPOTENCY_MISMATCH": (422, "validation_error"),
    "CONFLICT": (409, "conflict_error"),
    "NOT_IMPLEMENTED": (501, "server_error"),
    "UPSTREAM_UNAVAILABLE": (502, "provider_error"),
    "UPSTREAM_RATE_LIMITED": (503, "provider_error"),
    "UPSTREAM_AUTH": (502, "provider_error"),
    "UPSTREAM_BAD_RESPONSE": (502, "provider_error"),
    "UPSTREAM_INVALID_REQUEST": (400, "provider_error"),
    "CANCELED": (499, "canceled"),
    "INTERNAL": (500, "server_error"),
    "UNAVAILABLE": (503, "service_unavailable"),
}


class ImageGenError(Exception):
    """Every failure of an API call.

    From the REST error envelope: ``status`` (HTTP status), ``code`` (e.g. ``UNAUTHORIZED``),
    ``type`` (e.g. ``authentication_error``), ``request_id`` (quote it to support), ``details``
    (e.g. ``{"field": "parameters.width"}``), ``retry_after_seconds``. A generation that ended
    ``failed`` raises its own code (status from the error table); no answer at all is status 0
    with code ``UNAVAILABLE``, ``TIMEOUT`` or ``CANCELED``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        type: str,
        message: str,
        request_id: Optional[str] = None,
        details: Optional[Mapping[str, Any]] = None,
        documentation_url: Optional[str] = None,
        retry_after_seconds: Optional[float] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.type = type
        self.message = message
        self.request_id = request_id
        self.details: Dict[str, Any] = dict(details or {})
        self.documentation_url = documentation_url
        self.retry_after_seconds = retry_after_seconds

    @classmethod
    def from_code(cls, code: str, message: str, status: Optional[int] = None, **extra: Any) -> "ImageGenError":
        """An error for ``code`` with the status and type of the error table."""
        table_status, error_type = ERROR_TABLE.get(code, (500, "server_error"))
        return cls(status if status is not None else table_status, code, error_type, message, **extra)


class WebhookVerificationError(Exception):
    """A webhook whose signature, timestamp or headers do not check out: do not trust its body."""
