"""Training and inference jobs of seed 004: train an artifact detector on a published
annotation set; run a trained detector over audio files."""

from __future__ import annotations

from ..audio_artifacts import model as detector_model
from ..audio_artifacts.features import load
from ..service_files import audio_path, model_path
from .registry import JobFailed, kind


@kind("training")
def train(service, job, ctx) -> dict:
    store = service.store
    owner = job.owner
    set_id = job.params["annotation_set_id"]
    options = job.params.get("params") or {}
    found = store.audio.annotation_set(owner, set_id)
    if found is None or found["status"] != "published":
        raise JobFailed(f"annotation set {set_id} is gone or not published")
    by_audio: dict[str, list] = {}
    for row in store.audio.all_annotations(set_id):
        by_audio.setdefault(row["audio_id"], []).append(
            (row["start_seconds"], row["end_seconds"], row["label"])
        )
    files = {a["id"]: a for a in store.audio.ready_audio(owner, sorted(by_audio))}
    recordings = [
        detector_model.Recording(audio_path(service.files_dir, audio_id), segments)
        for audio_id, segments in sorted(by_audio.items())
        if audio_id in files
    ]
    if not recordings:
        raise JobFailed("the annotation set has no annotations of ready audio files")
    ctx.progress(0.1)
    try:
        detector, metrics = detector_model.train(
            recordings,
            n_estimators=int(options.get("n_estimators", 60)),
            threshold=float(options.get("threshold", detector_model.DEFAULT_THRESHOLD)),
            progress=ctx.progress,
        )
    except ValueError as exc:
        raise JobFailed(str(exc)) from None
    ctx.progress(0.9)
    model_id = store.audio.new_model_id()
    detector_model.save(detector, model_path(service.files_dir, model_id))
    store.audio.add_model(model_id, owner, set_id, job.id, detector.labels, metrics)
    return {"model_id": model_id, "labels": detector.labels, "metrics": metrics}


@kind("inference")
def infer(service, job, ctx) -> dict:
    store = service.store
    owner = job.owner
    model_id = job.params["model_id"]
    if store.audio.model(owner, model_id) is None:
        raise JobFailed(f"model {model_id} is gone")
    detector = detector_model.load_detector(model_path(service.files_dir, model_id))
    audio_ids = list(job.params["audio_ids"])
    ready = {a["id"] for a in store.audio.ready_audio(owner, audio_ids)}
    results = []
    for done, audio_id in enumerate(audio_ids):
        if audio_id not in ready:
            results.append({"audio_id": audio_id, "detections": [], "error": "audio is gone"})
            continue
        detections = detector.detect(load(audio_path(service.files_dir, audio_id)))
        results.append({"audio_id": audio_id, "detections": detections})
        ctx.progress((done + 1) / len(audio_ids))
    return {"model_id": model_id, "results": results}
