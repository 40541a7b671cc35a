"""A SIGKILLed driver leaves no hung --isolate worker behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.suites import ring, suite_text

HERE = Path(__file__).resolve().parent

DRIVER = """
import sys
sys.path.insert(0, {here!r})
from ganbench.plugins import load_registry
from ganbench.executors.isolated import IsolatedExecutor
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import CheckpointOptions

if __name__ == "__main__":
    reg = load_registry(extra_plugins=["misbehaving_plugins"])
    run_suite({suite!r}, {out!r}, registry=reg, executor=IsolatedExecutor(CheckpointOptions(every=0)), render=False)
"""

SUITE = suite_text(name="orphan", seeds=1, batch_size=None, budget={"steps": 8}, eval={"n_samples": 100},
                   datasets=[ring(500)], models=[{"model": "hangs"}])


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
def test_killed_driver_leaves_no_hung_worker(write_suite, tmp_path):
    suite = write_suite(SUITE)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(here=str(HERE), suite=str(suite), out=str(tmp_path / "o")))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    driver = subprocess.Popen([sys.executable, str(script)], env=env)
    try:
        deadline = time.time() + 120
        store = tmp_path / "o" / "results.sqlite"
        workers: set[int] = set()
        while time.time() < deadline:  # wait until the run is underway in its worker (hung)
            workers = _descendants(driver.pid)
            if store.exists() and len(workers) >= 3:  # resource tracker, forkserver, worker
                time.sleep(1.0)
                break
            time.sleep(0.2)
        assert driver.poll() is None and len(workers) >= 3, "the hung run never started"
        workers = _descendants(driver.pid)
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait(30)
    deadline = time.time() + 20
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)], "worker processes outlived their driver"
