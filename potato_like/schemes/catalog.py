"""The generated part of docs/schemes.md: one entry per registered annotation type, read from
its class (config keys, template, JS module, stored value, agreement, dashboard, export,
wire format), so a new type is documented by registering it.

    python -m potato_like.schemes.catalog            # rewrite the generated part
    python -m potato_like.schemes.catalog --check    # exit 1 when it is not current
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from .. import ROOT
from .base import Scheme
from .registry import scheme_classes

PAGE = ROOT / "docs" / "schemes.md"
BEGIN = "<!-- BEGIN GENERATED: python -m potato_like.schemes.catalog -->"
END = "<!-- END GENERATED -->"


# agreement measures that are not a level of Krippendorff's alpha
NOT_ALPHA = {
    "region_iou": "`region_iou`: shapes matched by IoU >= 0.5 within a label; pairwise F1 and "
    "mean IoU (quality/image_agreement.py)",
}


def summary(cls: type[Scheme]) -> str:
    """The type module's docstring (what it is and how its value is stored), one paragraph."""
    doc = inspect.getdoc(sys.modules[cls.__module__]) or inspect.getdoc(cls) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def _code(values) -> str:
    return ", ".join(f"`{v}`" for v in values) or "none"


def entry(cls: type[Scheme]) -> str:
    pair_scores = getattr(cls, "pair_score_names", ())
    if cls.step_level:
        agreement = f"Krippendorff's alpha over steps, `{cls.step_metric}`"
        if cls.has_first_error:
            agreement += ", and first-error-step agreement"
    elif cls.agreement_metric in NOT_ALPHA:
        agreement = NOT_ALPHA[cls.agreement_metric]
    elif pair_scores:
        agreement = f"mean over annotator pairs of {_code(pair_scores)} (no alpha)"
    elif cls.agreement_metric:
        agreement = f"Krippendorff's alpha, `{cls.agreement_metric}`"
        if cls.agreement_value is not Scheme.agreement_value:  # compares a reduced value
            agreement += f", on {(cls.agreement_value.__doc__ or '').strip().rstrip('.')}"
    else:
        agreement = f"none ({cls.agreement_skip_reason})"
    if cls.tallied:
        dashboard = (
            f"answer distribution per {'value' if cls.summary_kind == 'numbers' else 'label'}"
        )
    elif cls.summarizes_answers:
        dashboard = "answer count and figures over the answers (`dashboard_summary`)"
    else:
        dashboard = "answer count"
    if cls.confusion_matrix:
        dashboard += "; confusion matrix on the agreement page"
    if cls.analysis_title:
        dashboard += f"; {cls.analysis_title} on the questions page"
    if cls.structured:
        wire = f"entries in `{cls.wire_field}`"
        if cls.backend_type != "label":
            wire += f", or backend format with `type: {cls.backend_type}`"
        export = "`answer:<schema>` (JSON)"
    elif cls.step_level:
        wire = '`annotations: {"<schema>:<schema>": "<JSON document>"}` (Potato\'s shape)'
        export = "`<schema>:::<schema>` (the JSON document), and `answer:<schema>`"
    else:
        wire = '`annotations: {"schema:label": value}`, or backend format with `type: label`'
        export = "`<schema>:::<key>` per stored key, and `answer:<schema>`"
    lines = [
        f"### `{cls.type_name}`",
        "",
        summary(cls),
        "",
        f"- config keys: {_code(cls.option_keys)} (and the keys every scheme has)",
        f"- template: `templates/{cls.macro}`",
        f"- JS module: {f'`static/{cls.script}`' if cls.script else 'none'}",
        f"- sent as: {wire}",
        f"- agreement: {agreement}",
        f"- dashboard: {dashboard}",
        f"- wide table export: {export}",
    ]
    if cls.stylesheet:
        lines.insert(7, f"- stylesheet: `static/{cls.stylesheet}`")
    if cls.survey_names:
        names = " or ".join(f"`schema: {name}`" for name in cls.survey_names)
        lines.append(f"- Potato survey questions: also {names}")
    if cls.survey_default:
        lines.append("- Potato survey questions: the type of a question without `schema`")
    return "\n".join(lines)


def generated() -> str:
    return "\n\n".join(entry(cls) for cls in scheme_classes())


def render(page: str) -> str:
    head, rest = page.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{generated()}\n\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m potato_like.schemes.catalog")
    parser.add_argument("--check", action="store_true", help="exit 1 when the page is stale")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    new = render(page)
    if args.check:
        if new != page:
            print(f"{PAGE} is not current: run python -m potato_like.schemes.catalog")
            return 1
        return 0
    Path(PAGE).write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
