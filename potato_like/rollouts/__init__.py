"""Potato's rollout endpoints: the per-annotator rollout set of a `rollout_evaluation` item
(manifest.py), a vision-model judge of where a rollout stops making sense (judge.py), and
its alignment with the annotators' own marks (alignment.py)."""
