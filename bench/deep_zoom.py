"""First-tile time and memory of Deep Zoom on a 20000x20000 JPEG.

Makes the image in a child process (so its 1.2 GB of pixels do not count), then, in this
process with a fresh app and the Flask test client, times: the DZI descriptor (size read
from the header), the first overview tile (one tile for the whole image: level built from
opencv's 1/8 decode), the first tile at the level a 1600 px wide screen shows at fit (1/8
scale or smaller), the first tile at 1/2 and at full resolution (their levels built whole),
and a cached tile. Peak RSS (ru_maxrss) is printed after each step.

    python bench/deep_zoom.py [--side 20000]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def make_image(path: Path, side: int) -> None:
    import cv2
    import numpy as np

    ramp = (np.arange(side, dtype=np.uint32) * 255 // side).astype(np.uint8)
    img = np.empty((side, side, 3), np.uint8)
    img[:, :, 0] = ramp[None, :]
    img[:, :, 1] = ramp[:, None]
    img[:, :, 2] = 90
    for i in range(0, side, 997):  # structures to see when zoomed in
        cv2.rectangle(img, (i, (i * 7) % side), (i + 300, (i * 7) % side + 200), (0, 0, 255), 8)
    cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, 85])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", type=int, default=20000)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make_image(Path(args.make), args.side)
        return
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "images").mkdir()
        image = root / "images" / "survey.jpg"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--side", str(args.side), "--make", str(image)], check=True
        )
        print(f"made {args.side}x{args.side} JPEG, {image.stat().st_size / 1e6:.1f} MB, "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        (root / "data.jsonl").write_text(json.dumps({"id": "s", "image": "images/survey.jpg"}))
        config = {
            "annotation_task_name": "bench", "task_dir": ".", "output_annotation_dir": "out",
            "data_files": ["data.jsonl"], "item_properties": {"id_key": "id", "text_key": "image"},
            "user_config": {"allow_all_users": True}, "require_password": False,
            "annotation_schemes": [{"annotation_type": "image_annotation", "name": "objects",
                                    "description": "d", "tools": ["bbox"], "labels": ["a"],
                                    "viewer": "deepzoom"}],
        }  # fmt: skip
        (root / "config.yaml").write_text(yaml.safe_dump(config))
        from potato_like import create_app

        app = create_app(root / "config.yaml")
        client = app.test_client()
        client.post("/auth", data={"username": "b", "password": ""})
        client.get("/api/current_instance")
        base_rss = peak_mb()
        max_level = math.ceil(math.log2(args.side))
        overview = max_level - math.ceil(math.log2(args.side / 254))
        fit = max_level - math.ceil(math.log2(args.side / 1600))
        tiles = "/media/tiles/images/survey.jpg_files"
        steps = [
            ("descriptor (.dzi)", "/media/tiles/images/survey.jpg.dzi"),
            ("image info (size from header)", "/api/image/info?src=images/survey.jpg"),
            (f"first overview tile (level {overview})", f"{tiles}/{overview}/0_0.jpg"),
            (f"first tile at fit, 1600 px screen (level {fit})", f"{tiles}/{fit}/1_1.jpg"),
            (f"first tile at 1/2 (level {max_level - 1})", f"{tiles}/{max_level - 1}/10_10.jpg"),
            (f"first full-resolution tile (level {max_level})", f"{tiles}/{max_level}/20_20.jpg"),
            ("a cached full-resolution tile", f"{tiles}/{max_level}/21_20.jpg"),
        ]  # fmt: skip
        print(f"server process after start and login: peak RSS {base_rss:.0f} MB")
        print(f"{'step':52} {'ms':>9} {'peak RSS MB':>12}")
        for name, url in steps:
            start = time.perf_counter()
            resp = client.get(url)
            ms = (time.perf_counter() - start) * 1000
            assert resp.status_code == 200, (name, resp.status_code, resp.data[:200])
            print(f"{name:52} {ms:9.1f} {peak_mb():12.0f}")
        app.extensions["potato_like"].close()


if __name__ == "__main__":
    main()
