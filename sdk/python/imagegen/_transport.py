"""HTTP for the SDK (urllib): auth, JSON, Idempotency-Key, retries on 429/503, errors."""
from __future__ import annotations

import email.utils
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

from ._errors import ERROR_TABLE, ImageGenError

RETRYABLE_STATUS = (429, 503)
SDK_VERSION = "0.1.0"


@dataclass(frozen=True)
class Config:
    """How the client reaches the API (ImageGenClient fills every field)."""

    api_key: str
    base_url: str
    max_retries: int = 2
    max_retry_delay: float = 60.0
    timeout: float = 180.0
    headers: Mapping[str, str] = field(default_factory=dict)


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Retry-After in seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, float(int(when - (time.time() if now is None else now) + 0.999)))


def backoff_seconds(attempt: int) -> float:
    """0.5 s, 1 s, 2 s, ... with +-25 % jitter, when the server gave no Retry-After."""
    return 0.5 * (2 ** attempt) * (0.75 + random.random() / 2)


def error_of(status: int, body: bytes, headers: Mapping[str, str]) -> ImageGenError:
    """The ImageGenError an HTTP error answer stands for (its envelope, or its status)."""
    retry_after = parse_retry_after(headers.get("retry-after"))
    request_id = headers.get("x-request-id")
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        envelope = None
    error = envelope.get("error") if isinstance(envelope, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return ImageGenError(
            status,
            error["code"],
            str(error.get("type", "server_error")),
            str(error.get("message", "")),
            request_id=error.get("request_id") or request_id,
            details=error.get("details") if isinstance(error.get("details"), dict) else {},
            documentation_url=error.get("documentation_url"),
            retry_after_seconds=retry_after,
        )
    code = next((c for c, (s, _) in ERROR_TABLE.items() if s == status), "INTERNAL" if status >= 500 else "INVALID_REQUEST")
    text = body[:200].decode("utf-8", "replace")
    return ImageGenError(status, code, ERROR_TABLE.get(code, (status, "server_error"))[1], f"HTTP {status}: {text}".rstrip(": "), request_id=request_id, retry_after_seconds=retry_after)


class Transport:
    """Sends requests and returns open responses; every failure is an ImageGenError."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def open(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        idempotency_key: Optional[str] = None,
        retry_on_network_error: bool = False,
        headers: Optional[Mapping[str, str]] = None,
        accept: str = "application/json",
        max_retries: Optional[int] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """Sends the request, retrying 429/503 (and refused connections when safe); returns the response."""
        url = self.config.base_url.rstrip("/") + path
        pairs = [(k, ",".join(map(str, v)) if isinstance(v, (list, tuple)) else _query_value(v)) for k, v in (query or {}).items() if v is not None and v != ""]
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
        all_headers = {
            "Accept": accept,
            "Authorization": f"Bearer {self.config.api_key}",
            "X-Client-Version": SDK_VERSION,
            **self.config.headers,
            **(headers or {}),
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        if idempotency_key:
            all_headers["Idempotency-Key"] = idempotency_key
        retries = self.config.max_retries if max_retries is None else max_retries
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
            try:
                return urllib.request.urlopen(request, timeout=self.config.timeout if timeout is None else timeout)
            except urllib.error.HTTPError as answer:
                with answer:
                    error = error_of(answer.code, answer.read(), _lower(answer.headers))
                if answer.code not in RETRYABLE_STATUS or attempt >= retries:
                    raise error from None
                delay = error.retry_after_seconds if error.retry_after_seconds is not None else backoff_seconds(attempt)
                if delay > self.config.max_retry_delay:
                    raise error from None
            except (urllib.error.URLError, socket.timeout, ConnectionError, TimeoutError) as failure:
                reason = getattr(failure, "reason", failure)
                timed_out = isinstance(reason, (socket.timeout, TimeoutError))
                if not retry_on_network_error or attempt >= retries:
                    if timed_out:
                        raise ImageGenError(0, "TIMEOUT", "timeout_error", f"no answer within {self.config.timeout if timeout is None else timeout} s") from failure
                    raise ImageGenError(0, "UNAVAILABLE", "service_unavailable", f"could not reach {self.config.base_url}: {reason}") from failure
                delay = backoff_seconds(attempt)
            time.sleep(delay)
            attempt += 1

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Like open, and returns the decoded JSON answer (None for 204)."""
        with self.open(method, path, **kwargs) as response:
            raw = response.read()
            if response.status == 204 or not raw:
                return None
            return json.loads(raw.decode("utf-8"))


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _lower(headers: Any) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers is not None else {}
