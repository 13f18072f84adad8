"""A vision-model judge of where a rollout stops making sense (Potato's rollout judge).

Frames are sampled evenly (never the first or last instant) with opencv and sent as one
numbered contact sheet, so the model sees the sequence and answers with a tile number; the
answer is re-validated (tile in range, category from the scheme's violation types). The
model is the project's AI provider (`ai_support`, potato_like/ai/providers): the sheet goes
as an OpenAI-style `image_url` part of a chat message, which the openai and
openai_compatible providers (vLLM, Ollama's /v1, ...) pass on. A failed call is a prediction
with an `error`, never a "no break": alignment leaves errors out.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from ..ai.suggestion import ProviderUnavailable

DEFAULT_TILES = 12
COLUMNS = 4
TILE_WIDTH = 320
SYSTEM = "You judge generated videos for physical and causal coherence. Answer only with JSON."


def sample_times(duration: float, tiles: int = DEFAULT_TILES) -> list[float]:
    """Evenly spread, half an interval in from each end."""
    if duration <= 0 or tiles < 1:
        return []
    step = duration / tiles
    return [round(step * (i + 0.5), 3) for i in range(tiles)]


def resolution(duration: float, tiles: int = DEFAULT_TILES) -> float:
    """How precisely a tile names a moment: half the sampling interval."""
    return round(duration / tiles / 2, 4) if duration > 0 and tiles > 0 else 0.0


def contact_sheet(path: Path, times: list[float]) -> tuple[bytes, list[float]]:
    """(JPEG bytes of the numbered grid, the times of the frames actually read)."""
    import cv2  # lazy: heavy import
    import numpy as np

    capture = cv2.VideoCapture(str(path))
    frames, read_at = [], []
    try:
        if not capture.isOpened():
            raise ProviderUnavailable(f"{path.name}: cannot decode this video file")
        for t in times:
            capture.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
            ok, frame = capture.read()
            if not ok:
                continue
            h, w = frame.shape[:2]
            tile = cv2.resize(frame, (TILE_WIDTH, max(1, round(h * TILE_WIDTH / w))))
            cv2.putText(tile, str(len(frames) + 1), (8, 30), cv2.FONT_HERSHEY_SIMPLEX, 1,
                        (255, 255, 255), 2, cv2.LINE_AA)  # fmt: skip
            frames.append(tile)
            read_at.append(t)
    finally:
        capture.release()
    if not frames:
        raise ProviderUnavailable(f"{path.name}: no frame could be read")
    blank = np.zeros_like(frames[0])
    rows = []
    for start in range(0, len(frames), COLUMNS):
        row = frames[start : start + COLUMNS]
        row += [blank] * (COLUMNS - len(row))
        rows.append(np.hstack(row))
    ok, jpeg = cv2.imencode(".jpg", np.vstack(rows), [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise ProviderUnavailable("the contact sheet could not be encoded")
    return jpeg.tobytes(), read_at


def build_prompt(types: list[str], tiles: int, scenario: str = "") -> str:
    taxonomy = "\n".join(f"- {t}" for t in types)
    about = f"\nThe scenario being generated: {scenario}\n" if scenario else ""
    return (
        f"The image shows {tiles} frames of a generated video in time order, numbered 1 to "
        f"{tiles} in each frame's top-left corner.\n{about}\n"
        "Find the FIRST frame where the scene stops being physically or causally coherent. "
        "Compare each frame with the ones before it.\n\n"
        f"Categories:\n{taxonomy}\n\n"
        "If every frame is coherent, answer break_tile 0; do not invent a violation.\n"
        f'Answer as JSON: {{"break_tile": <0 to {tiles}>, "violation_type": "<one category '
        'or empty>", "confidence": <0.0 to 1.0>, "rationale": "<one sentence>"}'
    )


def parse_verdict(text: str, times: list[float], types: list[str]) -> dict[str, Any]:
    """{t, violation_type, confidence, rationale} or {error}; nothing is trusted as sent."""
    match = re.search(r"\{.*\}", text or "", re.S)
    try:
        data = json.loads(match.group(0)) if match else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return {"error": "the model did not return usable JSON"}
    raw_tile = data.get("break_tile", data.get("break_frame"))
    try:
        tile = int(float(raw_tile))
    except (TypeError, ValueError):
        return {"error": f"unusable break_tile {raw_tile!r}"}
    try:
        confidence = min(1.0, max(0.0, float(data.get("confidence") or 0.0)))
    except (TypeError, ValueError):
        confidence = 0.0
    rationale = str(data.get("rationale") or "")[:1000]
    if tile <= 0:
        return {"t": None, "violation_type": "", "confidence": confidence, "rationale": rationale}
    if tile > len(times):
        # Clamping would put a plausible-looking break at the end of the clip.
        return {"error": f"the model named tile {tile} of {len(times)}"}
    declared = str(data.get("violation_type") or "").strip().lower()
    matched = next((t for t in types if t.lower() == declared), "")
    return {"t": times[tile - 1], "violation_type": matched, "confidence": confidence,
            "rationale": rationale}  # fmt: skip


def judge_stream(
    provider,
    path: Path | None,
    duration: float,
    types: list[str],
    *,
    instance_id: str,
    schema_name: str,
    stream_id: str,
    scenario: str = "",
    prompt_version: str = "",
    tiles: int = DEFAULT_TILES,
) -> dict[str, Any]:
    """One prediction (Potato's BreakPrediction fields). Never raises."""
    prediction: dict[str, Any] = {
        "instance_id": instance_id,
        "schema_name": schema_name,
        "stream_id": stream_id,
        "t": None,
        "violation_type": "",
        "confidence": 0.0,
        "rationale": "",
        "resolution": resolution(duration, tiles),
        "model_name": str(getattr(provider, "model", "") or getattr(provider, "name", "")),
        "prompt_version": prompt_version,
        "error": "",
    }
    if path is None:
        prediction["error"] = "not a project file, so its frames cannot be sampled"
        return prediction
    if duration <= 0:
        prediction["error"] = "the video's length is unknown"
        return prediction
    try:
        sheet, times = contact_sheet(path, sample_times(duration, tiles))
        image = "data:image/jpeg;base64," + base64.b64encode(sheet).decode("ascii")
        content = [
            {"type": "text", "text": build_prompt(types, len(times), scenario)},
            {"type": "image_url", "image_url": {"url": image}},
        ]
        answer = provider.chat([{"role": "user", "content": content}], system=SYSTEM)
    except ProviderUnavailable as exc:
        prediction["error"] = str(exc)
        return prediction
    verdict = parse_verdict(answer, times, types)
    prediction.update(verdict)
    return prediction
