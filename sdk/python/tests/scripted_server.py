"""A real HTTP server on a loopback port that answers from a script and records each request."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

Answer = Tuple[int, Dict[str, str], bytes]


def json_answer(status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


def envelope(status: int, code: str, type_: str, headers: Optional[Dict[str, str]] = None, **extra: Any) -> Answer:
    error = {"type": type_, "code": code, "message": f"{code} happened", "details": {}, "request_id": "req_abc", "documentation_url": f"/docs/errors#{code}", **extra}
    return json_answer(status, {"error": error}, headers)


def sse(events: List[Tuple[str, Any]]) -> Answer:
    text = "".join(f"event: {name}\r\ndata: {json.dumps(data)}\r\n\r\n: comment\n\n" for name, data in events)
    return 200, {"Content-Type": "text/event-stream"}, text.encode()


def generation(**over: Any) -> Dict[str, Any]:
    body = {"id": "gen_1", "status": "completed", "model": "local", "images": [{"id": "img_1", "url": "http://x/1.png", "width": 64, "height": 64}], "metadata": {"userId": "kept"}}
    body.update(over)
    return body


class ScriptedServer:
    """Serves ``answers`` in order (an answer may be a callable taking the request record)."""

    def __init__(self, answers: List[Any]) -> None:
        self.answers = list(answers)
        self.requests: List[Dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                record = {"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": self.rfile.read(length) if length else b""}
                outer.requests.append(record)
                answer = outer.answers.pop(0) if outer.answers else (500, {}, b"unexpected request")
                if callable(answer):
                    answer = answer(record)
                status, headers, body = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def body(self, index: int) -> Any:
        return json.loads(self.requests[index]["body"])


