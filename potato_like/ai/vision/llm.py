"""Vision language models as detectors: `openai_vision`, `anthropic_vision`, `ollama_vision`
(Potato's names). The item's image is sent in each vendor's documented wire format with the
vendor's SDK, through the text providers of ai/providers/ (their client, time budget and
retries on 429/5xx); the model is asked for Potato's detection JSON

    {"detections": [{"label", "bbox": {"x", "y", "width", "height"}, "confidence"}]}

with coordinates normalised to 0..1, which becomes the image scheme's shapes.

- openai_vision: chat completions, a user message whose content is
  `[{"type": "text"}, {"type": "image_url", "image_url": {"url": "data:<mime>;base64,...",
  "detail": ...}}]`, `response_format={"type": "json_object"}`.
- anthropic_vision: messages, content `[{"type": "image", "source": {"type": "base64",
  "media_type", "data"}}, {"type": "text"}]`, the answer as a forced tool call.
- ollama_vision: native /api/chat, the message's `images` (base64), `format` = JSON Schema.

The image is read (at most `max_image_bytes`), scaled down so its longer side is at most
`max_image_size` pixels, and re-encoded as PNG when the vendor may not read its format.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from ..providers.llm import Malformed
from ..providers.registry import provider_class
from ..suggestion import ProviderUnavailable
from .detectors import Detector, VisionUnavailable, box_corners, box_shape

COMMON_KEYS = (
    "model", "api_key", "base_url", "temperature", "max_tokens", "timeout",
    "max_image_size", "max_image_bytes",
)  # fmt: skip
SENT_AS_IS = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
PROMPT = (
    "Find the objects in this image that are one of these labels: {labels}. Answer with one "
    'JSON object and nothing else: {{"detections": [{{"label": <one of the labels>, "bbox": '
    '{{"x": <left>, "y": <top>, "width": <w>, "height": <h>}}, "confidence": <0 to 1>}}]}}. '
    "Coordinates are fractions of the image's width and height (0 to 1), x and y the top-left "
    'corner. Leave out objects you are not sure of; no objects: {{"detections": []}}.'
)


def media_type(data: bytes) -> str:
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def prepared_image(data: bytes, max_side: int) -> tuple[bytes, str, int, int]:
    """(bytes to send, their media type, width, height): scaled down to `max_side` and
    re-encoded as PNG when larger or of a format the vendors may not read."""
    import cv2
    import numpy as np

    kind = media_type(data)
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if pixels is None:
        raise VisionUnavailable("the item's image cannot be read as an image")
    h, w = pixels.shape[:2]
    if max(h, w) <= max_side and kind in SENT_AS_IS:
        return data, kind, w, h
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        w, h = max(1, round(w * scale)), max(1, round(h * scale))
        pixels = cv2.resize(pixels, (w, h), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".png", pixels)
    if not ok:
        raise VisionUnavailable("the item's image cannot be re-encoded")
    return encoded.tobytes(), "image/png", w, h


def detection_schema(labels: Sequence[str]) -> dict:
    number = {"type": "number"}
    box = {
        "type": "object",
        "properties": {k: number for k in ("x", "y", "width", "height")},
        "required": ["x", "y", "width", "height"],
    }
    one = {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": list(labels)},
            "bbox": box,
            "confidence": number,
        },
        "required": ["label", "bbox", "confidence"],
    }
    return {
        "type": "object",
        "properties": {"detections": {"type": "array", "items": one}},
        "required": ["detections"],
    }


def _answer_object(answer: str | dict) -> dict:
    if isinstance(answer, dict):
        return answer
    text = (answer or "").strip().removeprefix("```json").removeprefix("```")
    text = text.removesuffix("```").strip()
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1]) if 0 <= start < end else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Malformed("no JSON object in the answer")
    return data


def shapes_from_answer(
    answer: str | dict, labels: Sequence[str], shape_types: Sequence[str], w: int, h: int
) -> list[dict]:
    """The scheme's shapes from the model's detections. Unknown labels and boxes that are not
    four numbers are left out; a box given in pixels (a value over 1) is read as pixels of the
    image sent."""
    data = _answer_object(answer)
    found = data.get("detections")
    if not isinstance(found, list):
        raise Malformed("the answer has no detections list")
    by_fold = {label.casefold(): label for label in labels}
    shapes = []
    for det in found:
        if not isinstance(det, Mapping):
            continue
        label = by_fold.get(str(det.get("label", "")).casefold())
        box = det.get("bbox")
        if label is None or not isinstance(box, Mapping):
            continue
        try:
            x, y, bw, bh = (float(box[k]) for k in ("x", "y", "width", "height"))
        except (KeyError, TypeError, ValueError):
            continue
        if bw <= 0 or bh <= 0:
            continue
        sx, sy = (w, h) if max(x + bw, y + bh) > 1.0 else (1.0, 1.0)
        norm = box_shape(x, y, x + bw, y + bh, sx, sy)
        if norm["width"] <= 0 or norm["height"] <= 0:
            continue
        try:
            conf = round(min(1.0, max(0.0, float(det.get("confidence", 0.0)))), 4)
        except (TypeError, ValueError):
            conf = 0.0
        shape: dict[str, Any] = {"label": label, "confidence": conf}
        if "bbox" in shape_types:
            shape.update(type="bbox", coordinates=norm)
        elif "polygon" in shape_types:
            shape.update(type="polygon", coordinates=box_corners(norm))
        else:
            continue
        shapes.append(shape)
    return shapes


class VisionLLM(Detector):
    """A vision endpoint that asks a language model through a text provider of the registry
    (`provider`): that provider's SDK client, time budget and retries."""

    provider: ClassVar[str] = ""
    key_variable: ClassVar[str] = ""
    extra = "llm"
    fetches_urls = True
    setting_keys = COMMON_KEYS

    def __init__(self, settings: Mapping[str, Any], base_dir: Path) -> None:
        super().__init__(settings, base_dir)
        cls = provider_class(self.provider)
        llm_settings = {k: v for k, v in self.settings.items() if k in COMMON_KEYS}
        llm_settings.setdefault("timeout", 30.0)
        llm_settings.setdefault("max_tokens", 1000)
        if not llm_settings.get("api_key") and self.key_variable:
            llm_settings["api_key"] = os.environ.get(self.key_variable) or None
        self.llm = cls(None, llm_settings)

    def __repr__(self) -> str:  # never the key
        return f"<{type(self).__name__} {self.name} model={self.llm.model!r}>"

    @property
    def model_name(self) -> str:
        return self.llm.model

    @property
    def max_bytes(self) -> int:
        return int(self.settings.get("max_image_bytes") or 20 * 1024 * 1024)

    def library(self):
        return self.llm.sdk()

    def messages(self, text: str, data: bytes, kind: str) -> list[dict]:
        raise NotImplementedError

    def structured(self, labels: Sequence[str]) -> dict | None:
        return detection_schema(labels)

    def detect(self, image: Path, labels: Sequence[str], shape_types: Sequence[str]) -> list:
        size = image.stat().st_size
        if size > self.max_bytes:
            raise VisionUnavailable(
                f"the image is {size / 1e6:.1f} MB, over the {self.max_bytes / 1e6:.1f} MB "
                "limit (visual_ai_config.max_image_bytes)"
            )
        data, kind, w, h = prepared_image(
            image.read_bytes(), int(self.settings.get("max_image_size") or 4096)
        )
        text = PROMPT.format(labels=", ".join(labels))
        messages = self.messages(text, data, kind)
        schema = self.structured(labels)
        deadline = time.monotonic() + self.llm.timeout
        try:
            for _attempt in range(2):  # an answer that is not the JSON asked for: once more
                answer = self.llm._call("", messages, schema, deadline)
                try:
                    return shapes_from_answer(answer, labels, shape_types, w, h)
                except Malformed:
                    continue
        except ProviderUnavailable as exc:
            raise VisionUnavailable(str(exc)) from None
        except ValueError:  # the SDK could not decode the HTTP body (a proxy's error page)
            raise VisionUnavailable(
                f"the {self.name} endpoint answered with a body that is not JSON"
            ) from None
        raise VisionUnavailable("no detections: the model did not answer with the JSON asked for")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class OpenAIVision(VisionLLM):
    name = "openai_vision"
    package = "openai"
    module = "openai"
    provider = "openai_compatible"  # json_object answers, as Potato asks for
    key_variable = "OPENAI_API_KEY"
    setting_keys = (*COMMON_KEYS, "detail")

    def __init__(self, settings, base_dir) -> None:
        settings = dict(settings)
        settings.setdefault("model", "gpt-4o")
        base = str(settings.get("base_url") or "").rstrip("/")
        if base and not base.endswith("/v1"):  # Potato accepts the server's root too
            settings["base_url"] = base + "/v1"
        super().__init__(settings, base_dir)

    def messages(self, text, data, kind):
        url = f"data:{kind};base64,{_b64(data)}"
        detail = str(self.settings.get("detail") or "auto")
        return [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": text},
                    {"type": "image_url", "image_url": {"url": url, "detail": detail}},
                ],
            }
        ]


class AnthropicVision(VisionLLM):
    name = "anthropic_vision"
    package = "anthropic"
    module = "anthropic"
    provider = "anthropic"
    key_variable = "ANTHROPIC_API_KEY"

    def __init__(self, settings, base_dir) -> None:
        settings = dict(settings)
        settings.setdefault("model", "claude-sonnet-4-20250514")
        super().__init__(settings, base_dir)

    def messages(self, text, data, kind):
        image = {"type": "base64", "media_type": kind, "data": _b64(data)}
        return [
            {
                "role": "user",
                "content": [{"type": "image", "source": image}, {"type": "text", "text": text}],
            }
        ]


class OllamaVision(VisionLLM):
    name = "ollama_vision"
    package = "ollama"
    module = "ollama"
    provider = "ollama"

    def __init__(self, settings, base_dir) -> None:
        settings = dict(settings)
        settings.setdefault("model", "llava:latest")
        super().__init__(settings, base_dir)

    def messages(self, text, data, kind):
        return [{"role": "user", "content": text, "images": [data]}]  # the SDK sends base64


VISION_LLMS = {cls.name: cls for cls in (OpenAIVision, AnthropicVision, OllamaVision)}
