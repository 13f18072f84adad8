"""The cross-process write turn (store/process_turn.py): a second holder waits in the kernel
until the first releases, and a dead holder's lock is dropped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from sqlalchemy import create_engine

from potato_like.store.process_turn import ProcessTurn


def test_a_second_turn_waits_until_the_first_is_released(tmp_path):
    path = tmp_path / "db.sqlite3-writelock"
    first, second = ProcessTurn(path), ProcessTurn(path)  # two open files: two "processes"
    got = threading.Event()

    def take():
        with second:
            got.set()

    with first:
        waiter = threading.Thread(target=take)
        waiter.start()
        assert not got.wait(0.2)  # blocked while the first holds the turn
    assert got.wait(5)
    waiter.join()
    first.close()
    second.close()


def test_the_lock_of_a_killed_process_is_released(tmp_path):
    path = tmp_path / "db.sqlite3-writelock"
    code = (
        "import sys, time; from pathlib import Path;"
        "from potato_like.store.process_turn import ProcessTurn;"
        f"t = ProcessTurn(Path({str(path)!r})); t.__enter__(); print('held', flush=True);"
        "time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    turn, got = ProcessTurn(path), threading.Event()
    waiter = threading.Thread(target=lambda: (turn.__enter__(), got.set()))
    waiter.start()
    assert not got.wait(0.2)
    os.kill(holder.pid, signal.SIGKILL)  # kill -9 while holding the turn
    holder.wait(5)
    assert got.wait(5)
    waiter.join()
    turn.__exit__(None, None, None)
    turn.close()


def test_no_lock_file_for_memory_or_postgres_urls(tmp_path):
    assert ProcessTurn.for_engine(create_engine("sqlite://")).path is None
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert ProcessTurn.for_engine(engine).path == tmp_path / "x.sqlite3-writelock"
    started = time.perf_counter()
    with ProcessTurn(None):  # a no-op
        pass
    assert time.perf_counter() - started < 0.1
