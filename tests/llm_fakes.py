"""A local fake LLM server over real HTTP (http.server in a thread), one wire format per
vendor: OpenAI chat completions (also Hugging Face's router and vLLM), Anthropic messages,
Gemini generateContent and Ollama's native /api/chat.

`FakeLLM(vendor).script(...)` queues what the next calls get: ("ok", answer-dict-or-text),
("slow", seconds), ("status", code), ("rate", retry_after_seconds), ("malformed",), ("raw", bytes) (a 200 whose body is those
bytes, e.g. not JSON at all). When the
queue is empty every call gets `default` (an "ok" answer). Each request is recorded."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _openai(text: str, model: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _anthropic(text: str, model: str, structured: dict | None) -> dict:
    content = (
        [{"type": "tool_use", "id": "toolu_1", "name": "suggestion", "input": structured}]
        if structured is not None
        else [{"type": "text", "text": text}]
    )
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if structured is not None else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


def _gemini(text: str) -> dict:
    return {
        "candidates": [
            {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1},
    }


def _ollama(text: str, model: str) -> dict:
    return {
        "model": model,
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": True,
        "done_reason": "stop",
    }


class FakeLLM:
    def __init__(self, vendor: str, default: Any = None) -> None:
        self.vendor = vendor
        self.default = default or {
            "label": "positive",
            "confidence": 0.9,
            "explanation": "says 'great'",
        }
        self.queue: deque = deque()
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                fake.requests.append(
                    {"path": self.path, "body": body, "headers": dict(self.headers)}
                )
                fake.answer(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def script(self, *steps: tuple) -> FakeLLM:
        with self._lock:
            self.queue.extend(steps)
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self) -> tuple:
        with self._lock:
            return self.queue.popleft() if self.queue else ("ok", self.default)

    def answer(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        step = self._next()
        kind = step[0]
        if kind == "slow":
            time.sleep(step[1])
            step = ("ok", self.default)
            kind = "ok"
        if kind == "raw":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(step[1])))
            handler.end_headers()
            handler.wfile.write(step[1])
            return None
        if kind == "status":
            return self._send(handler, step[1], {"error": {"message": "boom", "type": "server"}})
        if kind == "rate":
            return self._send(
                handler,
                429,
                {"error": {"message": "slow down", "type": "rate_limit_error"}},
                {"Retry-After": str(step[1])},
            )
        payload = step[1] if kind == "ok" else "Sure! The answer is probably positive."
        text = payload if isinstance(payload, str) else json.dumps(payload)
        model = str(body.get("model") or "fake-model")
        structured = payload if (kind == "ok" and isinstance(payload, dict)) else None
        if self.vendor == "anthropic":
            tools = body.get("tools")
            out = _anthropic(text, model, structured if tools else None)
        elif self.vendor == "gemini":
            out = _gemini(text)
        elif self.vendor == "ollama":
            out = _ollama(text, model)
        else:
            out = _openai(text, model)
        self._send(handler, 200, out)

    @staticmethod
    def _send(handler, status: int, data: dict, headers: dict | None = None) -> None:
        raw = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(raw)  # fails when the client gave up (a time-out test)
