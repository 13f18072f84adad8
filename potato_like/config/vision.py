"""`ai_support.visual_endpoint_type` and `visual_ai_config`: the vision detector that makes
image pre-annotations (ai/vision/detectors.py)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def read_vision(sub: ConfigReader, config_dir: Path) -> VisionConfig | None:
    """`visual_endpoint_type` (yolo, sam) and `visual_ai_config`; a missing library is a
    problem naming the extra to install (never needed when no vision endpoint is set)."""
    from ..ai.vision.detectors import DETECTORS, EXTRA, NOT_SERVED

    written = sub.str("visual_endpoint_type", None)
    conf = sub.child("visual_ai_config")
    if not written:
        if conf.raw:
            conf.warn("model", "used only with visual_endpoint_type")
        return None
    if written in NOT_SERVED:
        sub.warn(
            "visual_endpoint_type",
            f"{written!r} (a vision LLM) is not served by this version; served: "
            f"{', '.join(DETECTORS)}. Image items get no AI pre-annotations",
        )
        return None
    cls = DETECTORS.get(written)
    if cls is None:
        sub.problem(
            "visual_endpoint_type",
            f"{written!r} is not a vision endpoint (one of: {', '.join(DETECTORS)})"
            f"{hint(written, list(DETECTORS))}",
        )
        return None
    conf.warn_unknown(cls.setting_keys)
    if not _importable(cls.module):
        sub.problem(
            "visual_endpoint_type",
            f"{written!r} needs the {cls.package!r} package, which is not installed: "
            f"pip install 'potato_like[{EXTRA}]'",
        )
        return None
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
    settings = {k: conf.raw[k] for k in cls.setting_keys if k in conf.raw}
    return VisionConfig(written, settings, config_dir, timeout)
