"""What one flush of a user's annotated_instances.jsonl costs as their file grows.

    python bench/output_flush.py [--items 5000] [--every 1000]

Makes a throwaway project of N items (bench/make_project.py's data), lets one annotator
finish them one by one through the Flask test client, and every `--every` items times:
- `rewrite`: writing the whole file again from the store (what every flush did before the
  append path; now what a flush does after an edit of an earlier item);
- `append`: the flush after one more finished item (what the background writer does now).
Prints one JSON object. The background writer is disabled (`output_flush_seconds` is an
hour) so only the timed calls write.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from make_project import write_project  # noqa: E402

from potato_like import create_app  # noqa: E402


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return round((time.perf_counter() - started) * 1000, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--every", type=int, default=1000)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="output-flush-"))
    try:
        write_project(args.items, work)
        config = work / "config.yaml"
        config.write_text(config.read_text() + "output_flush_seconds: 3600\n")
        app = create_app(config)
        project = app.extensions["potato_like"]
        client = app.test_client()
        client.post("/auth", data={"username": "ann"})
        user_id = project.store.users.by_name("ann").id
        figures = []
        for done in range(1, args.items + 1):
            iid = client.get("/api/current_instance").get_json()["instance_id"]
            body = {"instance_id": iid, "annotations": {"sentiment:positive": "1"}}
            assert client.post("/updateinstance", json=body).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
            if done % args.every == 0 or done == 1:
                project.output.mark_dirty(user_id)  # changes not known: a rewrite
                rewrite = timed(project.output.flush)
                figures.append({"finished": done, "rewrite_ms": rewrite})
            elif figures and "append_ms" not in figures[-1]:
                figures[-1]["append_ms"] = timed(project.output.flush)
        project.close()
        print(json.dumps({"items": args.items, "flushes": figures}, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
