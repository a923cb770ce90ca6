"""client.generations: get, list, cancel, wait (over the event stream) and watch (SSE)."""
from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.parse
from typing import Any, Iterator, Optional

from ._errors import ImageGenError
from ._objects import ApiObject, wrap
from ._transport import Transport

TERMINAL = ("completed", "failed", "canceled")
DEFAULT_WAIT_TIMEOUT = 600.0


def _path(generation_id: str, suffix: str = "") -> str:
    if not generation_id:
        raise ValueError("a generation id is required")
    return f"/api/v2/generations/{urllib.parse.quote(generation_id, safe='')}{suffix}"


class Generations:
    """Read, list, cancel, wait for and watch generations."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def get(self, generation_id: str) -> ApiObject:
        """GET /api/v2/generations/{id}: the generation as it stands (pending or finished)."""
        return wrap(self._transport.call("GET", _path(generation_id), retry_on_network_error=True))

    def list(self, page_size: Optional[int] = None, page_token: Optional[str] = None, status: Optional[str] = None) -> ApiObject:
        """GET /api/v2/generations: one page of yours, newest first (``generations``, ``next_page_token``)."""
        query = {"page_size": page_size, "page_token": page_token, "status": status}
        return wrap(self._transport.call("GET", "/api/v2/generations", query=query, retry_on_network_error=True))

    def cancel(self, generation_id: str) -> ApiObject:
        """POST /api/v2/generations/{id}:cancel: stops a queued or processing one (CONFLICT once finished)."""
        return wrap(self._transport.call("POST", _path(generation_id, ":cancel"), body={}))

    def watch(self, generation_id: str, timeout: Optional[float] = None) -> Iterator[ApiObject]:
        """Yields the generation's events (``type``, ``generation``) from
        GET /api/v2/generations/{id}:watch (Server-Sent Events) until the last one.

        An ``error`` event raises ImageGenError; a stream cut mid-way raises code UNAVAILABLE.
        ``timeout`` bounds each wait for the next bytes (default: the client's timeout).
        """
        response = self._transport.open("GET", _path(generation_id, ":watch"), accept="text/event-stream", retry_on_network_error=True, timeout=timeout)
        request_id = response.headers.get("x-request-id")
        with response:
            event, data = "", []
            try:
                for raw in response:
                    line = raw.decode("utf-8").rstrip("\r\n")
                    if line == "":
                        if data:
                            yield self._event(event or "message", "\n".join(data), request_id)
                        event, data = "", []
                    elif line.startswith(":"):
                        continue
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if name == "event":
                            event = value
                        elif name == "data":
                            data.append(value)
            except (socket.timeout, TimeoutError) as failure:
                raise ImageGenError(0, "TIMEOUT", "timeout_error", f"the event stream of {generation_id} went quiet", request_id=request_id) from failure
            except (ConnectionError, http.client.HTTPException, OSError) as failure:
                raise ImageGenError(0, "UNAVAILABLE", "service_unavailable", f"the event stream of {generation_id} broke off", request_id=request_id) from failure

    @staticmethod
    def _event(event: str, data: str, request_id: Optional[str]) -> ApiObject:
        payload: Any = json.loads(data)
        if event == "error":
            error = payload.get("error", {}) if isinstance(payload, dict) else {}
            raise ImageGenError.from_code(str(error.get("code", "INTERNAL")), str(error.get("message", "the stream failed")), request_id=request_id)
        return wrap(payload)

    def wait(self, generation_id: str, timeout: float = DEFAULT_WAIT_TIMEOUT) -> ApiObject:
        """Returns the generation once completed, failed or canceled (check ``status``).

        Watches its event stream (one request, no polling) and resumes a stream a proxy cut;
        after ``timeout`` seconds raises ImageGenError code TIMEOUT.
        """
        deadline = time.monotonic() + timeout
        pause = 1.0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ImageGenError.from_code("TIMEOUT", f"generation {generation_id} did not finish within {timeout} s", status=0)
            try:
                for event in self.watch(generation_id, timeout=min(remaining, self._transport.config.timeout)):
                    generation = event.get("generation")
                    if generation and generation.get("status") in TERMINAL:
                        return generation
            except ImageGenError as error:
                if error.code not in ("UNAVAILABLE", "TIMEOUT") or error.status != 0:
                    raise
            now = self.get(generation_id)
            if now.get("status") in TERMINAL:
                return now
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 10.0)
