"""MACE admin API (seed 003): `GET /admin/api/mace/overview`, `GET /admin/api/mace/predictions`,
`POST /admin/api/mace/trigger`. Runs happen in a background thread (quality/mace_runs.py);
these views only read stored results or start a run."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import BadRequest, NotFound
from ..quality.mace_runs import mace_tasks, runner
from .security import admin_required, current_project

bp = Blueprint("admin_mace", __name__)


@bp.after_app_request
def count_towards_next_run(response):
    """After a successful write request (a save), maybe start a run (`trigger_every_n`)."""
    if request.method == "POST" and response.status_code < 400:
        project = current_project()
        if project.config.mace.enabled:
            runner(project).maybe_trigger()
    return response


@bp.get("/admin/api/mace/overview")
@admin_required
def overview():
    project = current_project()
    cfg = project.config.mace
    if not cfg.enabled:
        return jsonify({"enabled": False, "message": "MACE not configured"})
    results = project.store.gold.mace_results()
    competence: dict[str, dict] = {}
    for result in results:
        for user, score in result["competence_scores"].items():
            competence.setdefault(user, {})[result["key"]] = score
    return jsonify(
        {
            "enabled": True,
            "has_results": bool(results),
            "schemas": [
                {
                    k: result.get(k)
                    for k in (
                        "key",
                        "schema_name",
                        "option_name",
                        "num_annotators",
                        "num_instances",
                        "num_annotations",
                        "log_likelihood",
                        "timestamp",
                        "label_mapping",
                    )
                }
                for result in results
            ],
            "annotator_competence": {
                user: {"scores": scores, "average": round(sum(scores.values()) / len(scores), 6)}
                for user, scores in sorted(competence.items())
            },
            "config": {
                "trigger_every_n": cfg.trigger_every_n,
                "min_annotations_per_item": cfg.min_annotations_per_item,
                "min_items": cfg.min_items,
                "num_restarts": cfg.num_restarts,
                "num_iters": cfg.num_iters,
                "alpha": cfg.alpha,
                "beta": cfg.beta,
            },
            "status": runner(project).status(),
        }
    )


@bp.get("/admin/api/mace/predictions")
@admin_required
def predictions():
    project = current_project()
    if not project.config.mace.enabled:
        raise BadRequest("MACE not configured (mace.enabled is false)")
    schema = (request.args.get("schema") or "").strip()
    if not schema:
        raise BadRequest("schema parameter required")
    base = schema.split("::", 1)[0]
    if project.config.scheme(base) is None:
        names = ", ".join(project.config.scheme_names)
        raise BadRequest(f"unknown schema {base!r}; schemas: {names}")
    instance_id = request.args.get("instance_id") or None
    results = project.store.gold.mace_results()
    exact = [r for r in results if r["key"] == schema]
    per_option = [r for r in results if r["schema_name"] == schema and r["option_name"]]
    if not exact and not per_option:
        raise NotFound(f"No MACE results for schema {schema!r} (yet)")
    if exact:
        return jsonify(_prediction_body(exact[0], instance_id))
    return jsonify(
        {
            "schema_name": schema,
            "options": {r["option_name"]: _prediction_body(r, instance_id) for r in per_option},
        }
    )


def _prediction_body(result: dict, instance_id: str | None) -> dict:
    if instance_id is None:
        return {
            k: result[k]
            for k in (
                "key",
                "schema_name",
                "option_name",
                "predicted_labels",
                "label_entropy",
                "label_mapping",
                "num_instances",
            )
        }
    predicted = result["predicted_labels"].get(instance_id)
    if predicted is None:
        raise NotFound(f"No MACE prediction for instance {instance_id!r} in {result['key']!r}")
    return {
        "instance_id": instance_id,
        "schema_name": result["schema_name"],
        "option_name": result["option_name"],
        "predicted_label": predicted,
        "entropy": result["label_entropy"].get(instance_id),
        "predicted_labels": {instance_id: predicted},
        "label_entropy": {instance_id: result["label_entropy"].get(instance_id)},
        "label_mapping": result["label_mapping"],
    }


@bp.post("/admin/api/mace/trigger")
@admin_required
def trigger():
    """Potato's answer (200, `status: success`, `schemas_processed`, `schemas`) without its
    wait: the run goes on in the background (`run`: "started", or "queued" behind the
    current one) and `schemas` lists the MACE tasks it covers (a scheme's name, or
    "schema::option" per multiselect option). Results: GET /admin/api/mace/overview."""
    project = current_project()
    if not project.config.mace.enabled:
        raise BadRequest("MACE not enabled")
    state = runner(project).trigger()
    keys = [key for scheme in project.config.schemes for key, _o, _r in mace_tasks(scheme)]
    return jsonify(
        {
            "status": "success",
            "schemas_processed": len(keys),
            "schemas": keys,
            "run": state,
            "message": "MACE runs in the background; GET /admin/api/mace/overview for results",
        }
    )
