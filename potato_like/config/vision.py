"""`ai_support.visual_endpoint_type` and `visual_ai_config`: the vision detector that makes
image pre-annotations (ai/vision/detectors.py)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import EnvValue
from .reader import ConfigReader, hint


@dataclass(frozen=True)
class VisionConfig:
    """`visual_endpoint_type` + `visual_ai_config`: a detector of ai/vision/detectors.py."""

    endpoint_type: str
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    base_dir: Path = Path(".")
    timeout: float = 30.0


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def read_vision(
    sub: ConfigReader,
    config_dir: Path,
    potato_form: tuple[str, ConfigReader] | None = None,
) -> VisionConfig | None:
    """`visual_endpoint_type` and `visual_ai_config`; a missing library is a problem naming
    the extra to install (never needed when no vision endpoint is set). `potato_form`:
    (endpoint_type, its ai_config) when the main endpoint_type names a vision endpoint, as
    Potato also allows."""
    from ..ai.vision.detectors import DETECTORS, NOT_SERVED

    key = "visual_endpoint_type"
    if potato_form is not None:
        key = "endpoint_type"
        written, conf = potato_form
    else:
        written = sub.str("visual_endpoint_type", None)
        conf = sub.child("visual_ai_config")
    if not written:
        if conf.raw:
            conf.warn("model", "used only with visual_endpoint_type")
        return None
    if written in NOT_SERVED:
        sub.warn(
            key,
            f"{written!r} is not served by this version; served: "
            f"{', '.join(DETECTORS)}. Image items get no AI pre-annotations",
        )
        return None
    cls = DETECTORS.get(written)
    if cls is None:
        sub.problem(
            key,
            f"{written!r} is not a vision endpoint (one of: {', '.join(DETECTORS)})"
            f"{hint(written, list(DETECTORS))}",
        )
        return None
    conf.warn_unknown((*cls.setting_keys, "max_frames"))
    if not _importable(cls.module):
        sub.problem(
            key,
            f"{written!r} needs the {cls.package!r} package, which is not installed: "
            f"pip install 'potato_like[{cls.extra}]'",
        )
        return None
    key_variable = getattr(cls, "key_variable", "")
    if key_variable and not (
        conf.raw.get("api_key") or conf.raw.get("base_url") or os.environ.get(key_variable)
    ):
        sub.warn(
            key,
            f"{written!r} has no API key (visual_ai_config.api_key or ${key_variable}) and "
            "no base_url: image items get no AI pre-annotations",
        )
        return None
    if "api_key" in conf.raw and not isinstance(conf.raw["api_key"], EnvValue):
        conf.warn("api_key", "is written in the file: use ${VARIABLE} to keep it out of it")
    conf.number("max_frames", None, integer=True, minimum=1, maximum=500)
    conf.number("max_image_size", None, integer=True, minimum=64, maximum=16384)
    conf.number("max_image_bytes", None, integer=True, minimum=1024)
    conf.number("max_tokens", None, integer=True, minimum=1, maximum=100_000)
    conf.number("temperature", None, minimum=0, maximum=2)
    for key in ("confidence_threshold", "iou_threshold", "min_area"):
        conf.number(key, None, minimum=0, maximum=1)
    conf.number("max_detections", None, integer=True, minimum=1, maximum=10_000)
    timeout = float(conf.number("timeout", 30, minimum=0.1, maximum=600))
    if written == "sam" and not (conf.raw.get("checkpoint") or conf.raw.get("model_path")):
        conf.problem(
            "checkpoint",
            "is required: the path of a SAM checkpoint you have (nothing is downloaded)",
        )
        return None
    settings = {k: conf.raw[k] for k in (*cls.setting_keys, "max_frames") if k in conf.raw}
    return VisionConfig(written, settings, config_dir, timeout)
