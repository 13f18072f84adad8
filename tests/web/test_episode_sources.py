"""GET /api/episode/<path> on a LeRobot v2 dataset (parquet written with pyarrow in the test)
and on RoboMimic and ALOHA HDF5 files (written with h5py): series, streams and instructions in
the JSON manifest's shape; unhappy paths 4xx; 501 naming the extra when it is missing."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from tests.conftest import REPO, login

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
h5py = pytest.importorskip("h5py")

EXAMPLE = REPO / "example_projects" / "robot_episodes"


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE)


@pytest.fixture
def root(app):
    return app.extensions["potato_like"].config.config_path.parent


@pytest.fixture
def client(app):
    c = login(app.test_client(), "ann1")
    c.environ_base["HTTP_ACCEPT"] = "application/json"
    return c


def lerobot(root, episodes=2, frames=30):
    ds = root / "media" / "lerobot"
    (ds / "meta").mkdir(parents=True)
    info = {
        "fps": 15,
        "chunks_size": 1,  # so episode 1 lives in chunk-001: the template must be followed
        "features": {
            "observation.state": {"dtype": "float32", "shape": [2],
                                  "names": ["shoulder_pan", "gripper"]},
            "action": {"dtype": "float32", "shape": [2]},
            "next.reward": {"dtype": "float32", "shape": [1]},
            "observation.images.wrist": {"dtype": "video", "shape": [48, 64, 3]},
            "observation.images.top": {"dtype": "video", "shape": [48, 64, 3]},
        },
    }  # fmt: skip
    (ds / "meta" / "info.json").write_text(json.dumps(info))
    (ds / "meta" / "tasks.jsonl").write_text(
        '{"task_index": 0, "task": "pick the cube"}\n{"task_index": 1, "task": "place it"}\n'
    )
    for e in range(episodes):
        t = np.arange(frames)
        table = pa.table({
            "observation.state": [[float(e + i), float(i % 2)] for i in t],
            "action": [[0.5 * i, -0.5 * i] for i in t],
            "next.reward": [float(i == frames - 1) for i in t],
            "timestamp": [i / 15 for i in t],
            "frame_index": list(t),
            "episode_index": [e] * frames,
            "task_index": [0 if i < frames // 2 else 1 for i in t],
        })  # fmt: skip
        path = ds / f"data/chunk-{e:03d}/episode_{e:06d}.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(table, path)
    video = ds / "videos/chunk-001/observation.images.wrist/episode_000001.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")  # only its existence is checked
    return ds


def test_lerobot_episode_by_index_through_the_path_templates(client, root):
    lerobot(root)
    r = client.get("/api/episode/media/lerobot?episode=1")
    assert r.status_code == 200, r.json
    m = r.json
    assert (m["fps"], m["num_frames"], m["duration"]) == (15.0, 30, 2.0)
    assert m["source_format"] == "lerobot_v2" and m["episode"] == 1
    assert m["instruction"] == "pick the cube → place it"
    names = [s["name"] for s in m["series"]]
    assert names == ["observation.state.shoulder_pan", "observation.state.gripper",
                     "action.0", "action.1", "next.reward"]  # fmt: skip
    assert m["series"][0]["values"][:3] == [1.0, 2.0, 3.0]  # episode 1: e + i
    assert m["streams"] == [
        {"name": "wrist",
         "url": "/project_files/media/lerobot/videos/chunk-001/observation.images.wrist/episode_000001.mp4"},
        {"name": "top", "url": None},
    ]  # fmt: skip
    assert m["warnings"] == [
        "observation.images.top: no video at "
        "videos/chunk-001/observation.images.top/episode_000001.mp4"
    ]
    small = client.get("/api/episode/lerobot?episode=0&max_samples=10").json  # media/ implied
    assert small["series"][0]["step"] == 3 and small["series"][0]["values"][:2] == [0.0, 3.0]


def test_lerobot_unhappy_paths(client, root):
    ds = lerobot(root, episodes=1)
    r = client.get("/api/episode/media/lerobot?episode=5")
    assert r.status_code == 415 and "episode 5 is not in this dataset" in r.json["error"]
    assert client.get("/api/episode/media/lerobot?episode=-1").status_code == 400
    assert client.get("/api/episode/media/lerobot?episode=x").status_code == 400
    (ds / "data/chunk-000/episode_000000.parquet").write_bytes(b"PAR1 not really")
    r = client.get("/api/episode/media/lerobot")
    assert r.status_code == 415 and "parquet" in r.json["error"]
    (ds / "meta" / "info.json").write_text("{broken")
    assert client.get("/api/episode/media/lerobot").status_code == 415
    (ds / "meta" / "info.json").write_text('{"fps": 10, "data_path": "{nope}.parquet"}')
    r = client.get("/api/episode/media/lerobot")
    assert r.status_code == 415 and "template" in r.json["error"]
    (ds / "meta" / "info.json").write_text('{"fps": 10, "data_path": "../../../x{episode_index}"}')
    assert client.get("/api/episode/media/lerobot").status_code == 415
    assert client.get("/api/episode/media").status_code == 404  # a directory, not a dataset
    assert client.get("/api/episode/../outside").status_code == 404
    assert client.application.test_client().get("/api/episode/media/lerobot").status_code == 401


def test_robomimic_and_aloha_hdf5(client, root):
    with h5py.File(root / "media" / "robomimic.hdf5", "w") as fh:
        for name, n in (("demo_10", 8), ("demo_2", 20)):
            g = fh.create_group(f"data/{name}")
            g.attrs["fps"] = 20
            g.attrs["language_instruction"] = f"do {name}"
            g.create_dataset("actions", data=np.arange(n * 3, dtype="f4").reshape(n, 3))
            g.create_dataset("rewards", data=np.linspace(0, 1, n))
            g.create_dataset("obs/agentview_image", data=np.zeros((n, 4, 4, 3), "u1"))
    m = client.get("/api/episode/media/robomimic.hdf5").json
    assert m["episode"] == "demo_2" and m["source_format"] == "hdf5_robomimic"  # 2 before 10
    assert (m["fps"], m["num_frames"], m["duration"]) == (20.0, 20, 1.0)
    assert m["instruction"] == "do demo_2"
    assert [s["name"] for s in m["series"]] == ["actions.0", "actions.1", "actions.2", "rewards"]
    assert m["series"][1]["values"][:2] == [1.0, 4.0]
    assert m["warnings"] == ["obs/agentview_image: image frames stay in the file (not shown)"]
    other = client.get("/api/episode/media/robomimic.hdf5?episode=demo_10").json
    assert other["num_frames"] == 8
    r = client.get("/api/episode/media/robomimic.hdf5?episode=demo_99")
    assert r.status_code == 415 and "demo_10" in r.json["error"]

    with h5py.File(root / "media" / "aloha_ep.h5", "w") as fh:
        fh.create_dataset("observations/qpos", data=np.ones((50, 2)))
        fh.create_dataset("action", data=np.zeros((50, 2)))
    m = client.get("/api/episode/media/aloha_ep.h5?fps=25").json
    assert m["source_format"] == "hdf5_aloha" and m["episode"] == "aloha_ep"
    assert (m["fps"], m["num_frames"], m["duration"]) == (25.0, 50, 2.0)
    (root / "media" / "broken.h5").write_bytes(b"not hdf5 at all")
    r = client.get("/api/episode/media/broken.h5")
    assert r.status_code == 415 and "HDF5" in r.json["error"]
    assert client.get("/api/episode/media/aloha_ep.h5?fps=0").status_code == 400


def test_missing_extra_is_501_naming_it(client, root, monkeypatch):
    lerobot(root, episodes=1)
    (root / "media" / "x.h5").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as when absent
    monkeypatch.setitem(sys.modules, "h5py", None)
    r = client.get("/api/episode/media/lerobot")
    assert r.status_code == 501 and "potato_like[episodes]" in r.json["error"]
    r = client.get("/api/episode/media/x.h5")
    assert r.status_code == 501 and "h5py" in r.json["error"]


def test_episode_field_picks_the_episode_the_page_asks_for(example_project):
    def edit(config):
        config["annotation_schemes"][0]["episode_field"] = "id"

    c = login(example_project(EXAMPLE, edit=edit).test_client(), "ann2")
    page = c.get("/annotate").get_data(as_text=True)
    config = json.loads(
        page.split('data-type="episode_annotation"')[1].split("data-config='")[1].split("'")[0]
    )
    assert config["episodeKey"] == "ep0"
