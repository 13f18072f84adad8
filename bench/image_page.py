"""How quickly a 4000x3000 JPEG item page becomes usable.

Makes a project with one 4000x3000 JPEG (numpy noise + shapes, written with cv2), serves it
with werkzeug in a thread, logs in, and times, over HTTP:
- the annotation page itself,
- /api/image/info (the size read with opencv; cold and cached by the OS),
- the first /api/image/preview (downscale + encode + write the cache), and a cached one,
- the full-size file (what the page would otherwise have to download and decode),
plus a save of two shapes (the size lookup is memoised per scheme).

    python bench/image_page.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests
from werkzeug.serving import make_server

from potato_like import create_app


def make_project(root: Path) -> Path:
    import cv2
    import numpy as np
    import yaml

    rng = np.random.default_rng(1)
    img = rng.integers(0, 255, (3000, 4000, 3), dtype=np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), 3)
    cv2.rectangle(img, (800, 600), (2000, 1500), (0, 200, 0), 20)
    (root / "images").mkdir()
    cv2.imwrite(str(root / "images" / "big.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    (root / "data.jsonl").write_text(json.dumps({"id": "big", "image": "images/big.jpg"}) + "\n")
    config = {
        "annotation_task_name": "bench", "task_dir": ".", "output_annotation_dir": "out",
        "data_files": ["data.jsonl"], "item_properties": {"id_key": "id", "text_key": "image"},
        "user_config": {"allow_all_users": True}, "require_password": False,
        "annotation_schemes": [{"annotation_type": "image_annotation", "name": "objects",
                                "description": "d", "tools": ["bbox", "polygon"],
                                "labels": ["cat", "dog"]}],
    }  # fmt: skip
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            config = make_project(Path(tmp))
            size = (Path(tmp) / "images" / "big.jpg").stat().st_size
            app = create_app(config)
            server = make_server("127.0.0.1", 0, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_port}"
            s = requests.Session()
            s.post(base + "/auth", data={"username": "b", "password": ""})
            s.get(base + "/api/current_instance")
            steps = {
                "annotation page": "/annotate",
                "image info (size + preview made)": "/api/image/info?src=images/big.jpg",
                "preview (cached)": "/api/image/preview?src=images/big.jpg",
                "image info again (cached)": "/api/image/info?src=images/big.jpg",
                "full-size file": "/project_files/images/big.jpg",
            }
            sizes = {}
            for name, url in steps.items():
                start = time.perf_counter()
                resp = s.get(base + url)
                rows.setdefault(name, []).append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200, (name, resp.status_code)
                sizes[name] = len(resp.content)
            shapes = [{"type": "bbox", "label": "cat",
                       "coordinates": {"x": 0.2, "y": 0.2, "width": 0.3, "height": 0.3}},
                      {"type": "polygon", "label": "dog",
                       "coordinates": [[0.1, 0.1], [0.5, 0.1], [0.3, 0.6]]}]  # fmt: skip
            for label in ("save (first: reads the size)", "save (size memoised)"):
                body = {"instance_id": "big", "draft": True,
                        "image_annotations": {"objects": shapes}}  # fmt: skip
                start = time.perf_counter()
                resp = s.post(base + "/updateinstance", json=body)
                rows.setdefault(label, []).append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200, resp.text
            server.shutdown()
            app.extensions["potato_like"].close()
    print(f"JPEG 4000x3000, {size / 1e6:.1f} MB; preview {sizes['preview (cached)'] / 1e3:.0f} kB")
    print(f"{'step':40} {'median ms':>10} {'min':>8} {'max':>8}")
    for name, values in rows.items():
        print(f"{name:40} {statistics.median(values):10.1f} {min(values):8.1f} {max(values):8.1f}")


if __name__ == "__main__":
    main()
