"""What a plugin author working from the docs alone tripped on: the guide's API version, where to
run the kit, image shapes tested as vectors, `new-plugin --help`, sinks.md's imports, and a command
that lists every dataset, metric and sink with its version."""

from __future__ import annotations

import re
import subprocess
import sys

from ganbench.api import API_VERSION, Capabilities, ModelSpec
from ganbench.cli import main
from ganbench.testing import Kit

from .conftest import REPO

GUIDE = REPO / "docs" / "plugin-guide.md"


def test_the_guide_states_the_installed_api_version():
    text = GUIDE.read_text()
    rows = re.findall(r"^\| (\d+\.\d+) \|", text.split("## Contract versions", 1)[1], re.M)
    assert rows and rows[-1] == API_VERSION, f"the guide's version table ends at {rows[-1:]}, the API is {API_VERSION}"
    stated = re.findall(r"API_VERSION` \(currently `([\d.]+)`\)", text)
    assert all(v == API_VERSION for v in stated), stated


def test_the_guide_says_where_to_run_the_kit_and_what_it_trains_with():
    text = GUIDE.read_text()
    assert "python -m pytest --ganbench-plugin=" in text and "\npytest --ganbench-plugin" not in text
    assert "without test paths on the command line the kit runs alone" in text
    assert "The kit trains with the model's `defaults`" in text


def test_sinks_doc_imports_only_the_public_api():
    text = (REPO / "docs" / "sinks.md").read_text()
    assert "from ganbench.record.sinks" not in text and "from ganbench.api import SinkContext, SinkEvent, SinkSpec" in text


def test_new_plugin_help_says_python_m_pytest(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["new-plugin", "--help"])
    out = capsys.readouterr().out
    assert "python -m pytest" in out and not re.search(r"(?<!-m )\bpytest NAME", out)


def test_plugins_lists_datasets_metrics_and_sinks_with_versions(capsys):
    import os

    os.environ["COLUMNS"] = "200"
    main(["plugins"])
    out = capsys.readouterr().out
    for title in ("datasets", "metrics", "tracker sinks"):
        assert title in out
    assert re.search(r"│ mog-ring8 +│ \S+ +│ vector", out)
    assert re.search(r"│ tensorboard +│ 1 +│ ganbench.record.tensorboard_sink", out)
    assert re.search(r"│ fidelity +│ \S+ +│ ganbench.metrics.fidelity", out)


def test_a_3d_data_shape_is_image_data_in_the_kit():
    spec = ModelSpec("both", "1", "", lambda ctx: None, capabilities=Capabilities(data_kinds=("vector", "image")))
    assert Kit(spec, data_shape=(1, 16, 16)).data_kind == "image"
    assert Kit(spec).data_kind == "vector" and Kit(spec, data_shape=(2,)).data_kind == "vector"


def test_the_kit_alone_collects_no_other_tests(tmp_path):
    """From a folder holding someone else's tests (a ganbench clone's), `--ganbench-plugin` without
    paths collects only the kit's items; named paths are collected with it."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_broken.py").write_text("import no_such_module_anywhere\n")
    res = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider",
                          "--ganbench-plugin=gan"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "ganbench[gan" in res.stdout and "test_broken" not in res.stdout and "error" not in res.stdout.lower()
    res = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", "tests",
                          "--ganbench-plugin=gan"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "no_such_module_anywhere" in res.stdout + res.stderr  # named: collected (and its error shown)
