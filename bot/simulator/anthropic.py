"""FakeAnthropic: a local HTTP server speaking the Messages API wire format, with scripted replies."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from pydantic import BaseModel

Reply = Any  # a pydantic model, a dict/list (sent as JSON), a str (sent verbatim) or a callable(request) -> Reply


@dataclass
class RecordedRequest:
    """One request the fake received; the API key is redacted."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    usage: dict[str, int] | None = None  # what the fake reported back for this call

    @property
    def model(self) -> str | None:
        return self.body.get("model")

    @property
    def system(self) -> str:
        system = self.body.get("system") or ""
        if isinstance(system, list):
            return "\n".join(b.get("text", "") for b in system if isinstance(b, dict))
        return str(system)

    @property
    def prompt(self) -> str:
        """All user-turn text, joined: what tests inspect for delimiting and injected text."""
        parts: list[str] = []
        for message in self.body.get("messages") or []:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(b.get("text", "") for b in content if isinstance(b, dict))
        return "\n".join(parts)

    @property
    def output_schema(self) -> dict[str, Any] | None:
        fmt = (self.body.get("output_config") or {}).get("format") or {}
        return fmt.get("schema") if fmt.get("type") == "json_schema" else None


@dataclass
class _Failure:
    status: int
    times: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


class FakeAnthropic:
    """Stands in for https://api.anthropic.com; point the SDK at `.url` (ANTHROPIC_BASE_URL)."""

    def __init__(self, known_models: set[str] | None = None) -> None:
        self.requests: list[RecordedRequest] = []
        self.known_models = known_models  # None: accept any model id
        self._lock = threading.Lock()
        self._reply: Reply = None
        self._stop_reason = "end_turn"
        self._failures: list[_Failure] = []
        self._delay = 0.0
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="FakeAnthropic",
                                        daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "FakeAnthropic":
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeAnthropic":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._reply = None
            self._stop_reason = "end_turn"
            self._failures.clear()
            self._delay = 0.0

    # -- scripting -------------------------------------------------------------------------------
    def reply_with(self, reply: Reply, stop_reason: str = "end_turn") -> None:
        """Answer every following request with this (a callable gets the RecordedRequest);
        stop_reason e.g. "refusal" or "max_tokens" simulates an incomplete answer."""
        with self._lock:
            self._reply = reply
            self._stop_reason = stop_reason

    def fail_next(self, status: int = 500, times: int = 1, message: str = "simulated failure",
                  headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._failures.append(_Failure(status, times, message, dict(headers or {})))

    def delay(self, seconds: float) -> None:
        """Hold each response this long (longer than the client timeout simulates a timeout)."""
        with self._lock:
            self._delay = seconds

    @property
    def models_used(self) -> list[str | None]:
        return [r.model for r in self.requests]

    # -- serving ---------------------------------------------------------------------------------
    def _respond(self, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.requests.append(req)
            failure = self._failures[0] if self._failures else None
            if failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.pop(0)
            reply, delay, stop_reason = self._reply, self._delay, self._stop_reason
        if delay:
            self._stop.wait(delay)
        if failure is not None:
            return failure.status, _error(failure.status, failure.message), failure.headers
        problem = _validate(req.body)
        if problem:
            return 400, _error(400, problem), {}
        if self.known_models is not None and req.model not in self.known_models:
            return 404, _error(404, f"model: {req.model}"), {}
        if reply is None:
            return 500, _error(500, "FakeAnthropic: no reply scripted for this test"), {}
        if callable(reply) and not isinstance(reply, BaseModel):
            reply = reply(req)
        return 200, _message(req, reply, stop_reason), {}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                for secret in ("x-api-key", "authorization"):
                    if secret in headers:
                        headers[secret] = "***"
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._send(400, _error(400, "request body is not JSON"), {})
                    return
                req = RecordedRequest("POST", self.path.split("?")[0], headers, body)
                if req.path != "/v1/messages":
                    self._send(404, _error(404, f"no route {req.path}"), {})
                    return
                if "x-api-key" not in headers and "authorization" not in headers:
                    self._send(401, _error(401, "x-api-key header is required"), {})
                    return
                status, payload, extra = fake._respond(req)
                self._send(status, payload, extra)

            def _send(self, status: int, payload: dict[str, Any], extra: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", f"req_fake_{uuid.uuid4().hex[:16]}")
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

        return Handler


def _validate(body: dict[str, Any]) -> str | None:
    """The checks the real API makes that matter to us: a wrong request shape must fail loudly."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return "max_tokens: Field required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: Field required"
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant") or "content" not in m:
            return f"messages.{i}: invalid message"
    fmt = (body.get("output_config") or {}).get("format")
    if fmt is not None and (fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict)):
        return "output_config.format: expected {type: json_schema, schema: {...}}"
    return None


def _encode(reply: Reply) -> str:
    if isinstance(reply, BaseModel):
        return reply.model_dump_json()
    if isinstance(reply, str):
        return reply
    return json.dumps(reply)


def _message(req: RecordedRequest, reply: Reply, stop_reason: str = "end_turn") -> dict[str, Any]:
    tool_choice = req.body.get("tool_choice") or {}
    if tool_choice.get("type") == "tool":  # forced-tool structured output: the reply is the tool input
        value = json.loads(_encode(reply)) if not isinstance(reply, (dict, list)) else reply
        content = [{"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": tool_choice["name"],
                    "input": value}]
        stop = "tool_use"
    else:
        text = _encode(reply)
        content = [{"type": "text", "text": text}]
        stop = stop_reason
    req.usage = {
        "input_tokens": max(1, len(json.dumps(req.body)) // 4),
        "output_tokens": max(1, len(json.dumps(content)) // 4),
    }
    return {
        "id": f"msg_fake_{uuid.uuid4().hex[:20]}",
        "type": "message",
        "role": "assistant",
        "model": req.model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            **req.usage,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


def _error(status: int, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message}}


def serve(reply_factory: Callable[[RecordedRequest], Reply] | None = None) -> FakeAnthropic:
    """Start a fake outside pytest (demo, benchmarks)."""
    fake = FakeAnthropic().start()
    if reply_factory is not None:
        fake.reply_with(reply_factory)
    return fake
