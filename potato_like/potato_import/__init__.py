"""Move a running Potato study here: `python run.py import-potato CONFIG DIR [--apply]`.

reader.py reads Potato's `annotation_output/` (each user's `user_state.json`, else their
`annotated_instances.jsonl`); importer.py plans the import (the dry run, the default) and
applies it through the same lease and save operations as the web API.
"""
