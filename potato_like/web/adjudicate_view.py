"""The JSON an adjudicator's page shows for one item: Potato's `item` object (annotations by
user, timing, agreement, MACE predictions) plus, per scheme, the distinct answers with who
gave them and how the adjudicator may answer (labels to pick from, or free input)."""

from __future__ import annotations

from typing import Any

from ..quality import adjudication as rules


def item_view(project, entry: rules.QueueEntry) -> dict[str, Any]:
    config = project.config
    cfg = config.adjudication
    row = project.store.items.by_seq(entry.seq)
    answers = project.store.gold.item_answers(entry.seq)
    shown = _display_names(sorted({a.username for a in answers}), cfg.show_annotator_names)
    by_user: dict[str, dict[str, Any]] = {}
    timing: dict[str, dict[str, Any]] = {}
    for a in answers:
        who = shown[a.username]
        by_user.setdefault(who, {})[a.schema] = a.value
        if cfg.show_timing_data and a.seconds is not None:
            timing[who] = {"total_time_ms": int(a.seconds * 1000)}
    groups = rules.group_answers(config, [(a.username, a.schema, a.value) for a in answers])
    results = project.store.gold.mace_results() if config.mace.enabled else []
    predictions = _mace_predictions(results, entry.instance_id)
    schemes = []
    for scheme in config.schemes:
        given = groups.get(scheme.name)
        schemes.append(
            {
                "name": scheme.name,
                "description": scheme.description,
                "single_choice": scheme.single_choice,
                "labels": [
                    {"name": label.name, "shown": label.shown, "key": label.key}
                    for label in scheme.labels
                ],
                "answers": [
                    {
                        "answer": scheme.answer(value),
                        "label_map": value,
                        "annotators": [shown[u] for u in users],
                        "count": len(users),
                    }
                    for users, value in sorted(
                        given.answers if given else [], key=lambda g: -len(g[0])
                    )
                ],
                "agreement": entry.agreement_scores.get(scheme.name),
                "mace_prediction": predictions.get(scheme.name),
            }
        )
    item = entry.as_json()
    item.update(
        annotations=by_user,
        span_annotations={},
        behavioral_data=timing,
        mace_predictions=predictions,
    )
    if not cfg.show_agreement_scores:
        item["agreement_scores"] = {}
    return {
        "item": item,
        "item_text": row.text if row else "",
        "item_data": row.data(config.item_properties.text_key) if row else {},
        "schemes": schemes,
        "annotator_signals": _signals(project, answers, shown, results),
    }


def _signals(project, answers, shown: dict[str, str], mace_results) -> dict[str, Any]:
    """Per annotator of the item: their record elsewhere in the project (items finished,
    quality-control checks passed, MACE competence)."""
    ids = {a.username: a.user_id for a in answers}
    qc = project.store.study.qc_for_users(list(ids.values()))
    out: dict[str, Any] = {}
    for name, uid in sorted(ids.items()):
        row = project.store.users.get(uid)
        answered, passed = qc.get(uid, (0, 0))
        out[shown[name]] = {
            "items_done": row.done_count if row else 0,
            "qc_checks": answered,
            "qc_passed": passed,
            "mace_competence": {
                r["key"]: r["competence_scores"][name]
                for r in mace_results
                if name in r["competence_scores"]
            },
        }
    return out


def similar_view(project, found: list[tuple[int, str, float]]) -> list[dict[str, Any]]:
    """Similar items with a text preview and their decided (else majority) answers."""
    gold = project.store.gold
    answers = gold.answers_of_items([seq for seq, _id, _score in found])
    out = []
    for seq, item_id, score in found:
        row = project.store.items.by_seq(seq)
        decision = gold.decision(seq)
        labels: dict[str, Any] = {}
        source = "none"
        if decision is not None:
            labels = _typed(project, decision.labels)
            source = "adjudicated"
        else:
            groups = rules.group_answers(project.config, answers.get(seq, []))
            majority = {name: g.majority() for name, g in groups.items()}
            labels = _typed(project, {k: v for k, v in majority.items() if v})
            source = "majority" if labels else "none"
        text = row.text if row else ""
        out.append(
            {
                "instance_id": item_id,
                "similarity": score,
                "text": text[:300],
                "labels": labels,
                "label_source": source,
            }
        )
    return out


def _typed(project, label_maps: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in label_maps.items():
        scheme = project.config.scheme(name)
        if scheme is not None:
            out[name] = scheme.answer(value)
    return out


def _display_names(users: list[str], show: bool) -> dict[str, str]:
    if show:
        return {u: u for u in users}
    return {u: f"Annotator {i}" for i, u in enumerate(users, 1)}


def _mace_predictions(results: list[dict[str, Any]], instance_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for result in results:
        label = result["predicted_labels"].get(instance_id)
        if label is None:
            continue
        if result["option_name"]:
            out.setdefault(result["schema_name"], {})[result["option_name"]] = label
        else:
            out[result["schema_name"]] = label
    return out
