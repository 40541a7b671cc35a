"""No output path of any command can replace a results store or a device -- tried as root.

As root the atomic rename of ``export``/``report``/``baseline``/``check --junit/--markdown`` used to
replace ``/dev/full``, a named pipe and ``OUT/results.sqlite`` itself with a regular file (all
results gone, exit 0). Each command must refuse with one line and exit 2, and leave the target
exactly as it was. Run as root where possible (this project's machines and CI run as root); the
checks that need root are skipped otherwise.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from ganbench.util.atomic import UnsafeTarget, write_text_atomic
from tests.report.conftest import write_store

ROOT = os.geteuid() == 0


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def out_dir(tmp_path, cli) -> Path:
    out = tmp_path / "OUT"
    out.mkdir()
    write_store(out / "results.sqlite", images=False, fail=False)
    assert cli("baseline", str(out), "--out", str(tmp_path / "base.json")).returncode == 0
    return out


def _targets(tmp_path: Path, out: Path) -> dict[str, Path]:
    """Every kind of path an output option must never replace."""
    store = out / "results.sqlite"
    link = tmp_path / "link.sqlite"
    link.symlink_to(store)
    hard = tmp_path / "hard.sqlite"
    os.link(store, hard)
    other = tmp_path / "other" / "results.sqlite"
    other.parent.mkdir()
    write_store(other, images=False, fail=False, suite="other")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    targets = {"store": store, "symlink to the store": link, "hard link to the store": hard,
               "another store": other, "named pipe": fifo, "directory": out}
    if ROOT:
        targets["/dev/full"] = Path("/dev/full")
        targets["/dev/null"] = Path("/dev/null")
    return targets


def _commands(out: Path, tmp_path: Path, target: Path) -> dict[str, list[str]]:
    base = str(tmp_path / "base.json")
    return {
        "report --out": ["report", str(out), "--out", str(target)],
        "baseline --out": ["baseline", str(out), "--out", str(target)],
        "export --out (csv)": ["export", str(out), "--format", "csv", "--out", str(target)],
        "export --out (json)": ["export", str(out), "--format", "json", "--final-only", "--out", str(target)],
        "check --junit": ["check", str(out), "--baseline", base, "--junit", str(target)],
        "check --markdown": ["check", str(out), "--baseline", base, "--markdown", str(target)],
        "sample --out": ["sample", str(out), "gan__mog-ring8__pack1__seed0", "--out", str(target)],
    }


def _snapshot(p: Path) -> tuple:
    st = os.lstat(p)
    content = _digest(p) if stat.S_ISREG(st.st_mode) else None
    return (stat.S_IFMT(st.st_mode), st.st_ino, st.st_rdev, content)


def test_no_output_option_replaces_a_store_a_device_or_a_pipe(out_dir, tmp_path, cli):
    targets = _targets(tmp_path, out_dir)
    failures = []
    for tname, target in targets.items():
        for cname, argv in _commands(out_dir, tmp_path, target).items():
            before = _snapshot(target)
            store_before = _digest(out_dir / "results.sqlite")
            res = cli(*argv)
            after = _snapshot(target)
            lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
            if res.returncode != 2 or before != after or _digest(out_dir / "results.sqlite") != store_before:
                failures.append(f"{cname} -> {tname}: exit {res.returncode}, changed={before != after}, "
                                f"stderr={res.stderr.strip()[:200]!r}")
            elif len(lines) != 1 or "Traceback" in res.stderr:
                failures.append(f"{cname} -> {tname}: not one line: {res.stderr!r}")
    assert failures == []


def test_run_out_cannot_be_a_store_file_or_a_device(out_dir, tmp_path, cli, write_suite):
    suite = write_suite("name: s\nseeds: 1\ndevice: cpu\nbudget: {steps: 2}\neval: {n_samples: 50}\n"
                        "datasets: [{name: mog-ring8, params: {n_samples: 200}}]\nmodels: [{model: gan}]\n")
    targets = {"store": out_dir / "results.sqlite", "pipe": tmp_path / "p"}
    os.mkfifo(targets["pipe"])
    if ROOT:
        targets["/dev/full"] = Path("/dev/full")
    for name, target in targets.items():
        before = _snapshot(target)
        res = cli("run", str(suite), "--out", str(target), "--no-report")
        assert res.returncode == 2, (name, res.stderr)
        assert _snapshot(target) == before, name


@pytest.mark.skipif(not ROOT, reason="replacing a device needs root")
def test_the_atomic_writer_itself_refuses_devices_pipes_and_stores(out_dir, tmp_path):
    """Defence in depth: even a caller that skipped the command's checks cannot replace them."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (Path("/dev/full"), fifo, out_dir / "results.sqlite", out_dir):
        before = _snapshot(target)
        with pytest.raises(UnsafeTarget) as err:
            write_text_atomic(target, "x")
        assert str(target) in str(err.value) and _snapshot(target) == before
    assert not list(tmp_path.glob(".*.tmp")) and not list(Path("/dev").glob(".full.*.tmp"))
