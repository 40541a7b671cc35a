"""Plugins never silently replace one another (issue: a third-party ``ganbench-unrolled``
uninstalled the first-party one; "keeping the first" followed install order; a repeated
entry-point name vanished; two plugins on one import package gave pluggy's dump).

Rule (docs/plugin-guide.md, Names): ganbench's own plugins are ``ganbench-zoo-<model>``, third
parties ``ganbench-contrib-<name>``; first-party registers first and wins every name clash; every
clash is one line at discovery and on every run; a suite that uses a clashing name is refused.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from pathlib import Path

import pytest
import tomllib

from ganbench.commands.new_plugin import NewPluginError, derive_names
from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import SuiteError, parse_suite
from ganbench.plugins import load_registry
from tests.core.conftest import write_dist

REPO = Path(__file__).resolve().parents[2]

FAKE_MODEL = '''
from ganbench.api import ModelSpec, MetricSpec, MetricValue, hookimpl

@hookimpl
def ganbench_models():
    return [ModelSpec(name="gan", build=lambda ctx: None, version="6.6.6", description="an impostor gan")]
'''


def _dist(site: Path, dist: str, eps: dict[str, str], module: str, text: str, top_level: str | None = None) -> None:
    src = site.parent / f"{module}.py"
    src.write_text(text)
    write_dist(site, dist, "1.0", eps, [src])
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    (info / "top_level.txt").write_text((top_level or module) + "\n")


@pytest.fixture
def site(tmp_path, monkeypatch):
    s = tmp_path / "site"
    s.mkdir()
    monkeypatch.syspath_prepend(str(s))
    yield s
    for name in ("impostor_gan", "shared_plugin", "ganbench_unrolled_shadow"):
        sys.modules.pop(name, None)


def test_first_party_distributions_live_in_the_reserved_namespace():
    names = {}
    for pyproject in sorted(REPO.glob("plugins/ganbench-*/pyproject.toml")):
        names[pyproject.parent.name] = tomllib.loads(pyproject.read_text())["project"]["name"]
    assert names and all(n.startswith("ganbench-zoo-") for n in names.values()), names
    reg = load_registry()
    assert all(reg.model_owner[m].first_party for m in ("gan", "dcgan", "unrolled"))
    assert not any(m.startswith(("contrib", "zoo")) for m in reg.models), "first-party names stay out of both prefixes"


def test_new_plugin_refuses_the_reserved_prefix_and_strips_contrib():
    with pytest.raises(NewPluginError, match="reserved"):
        derive_names("ganbench-zoo-mygan")
    with pytest.raises(NewPluginError, match="reserved"):
        derive_names("Ganbench_Zoo.mygan")
    names = derive_names("ganbench-contrib-mygan")
    assert (names.module, names.model) == ("ganbench_contrib_mygan", "mygan")


def test_a_legacy_named_third_party_installs_beside_the_first_party_one(site):
    """pip replaced ganbench-unrolled by a namesake; the first-party one is ganbench-zoo-unrolled now."""
    _dist(site, "ganbench-unrolled", {"unrolled-shadow": "ganbench_unrolled_shadow"}, "ganbench_unrolled_shadow",
          "from ganbench.api import hookimpl\n")
    reg = load_registry()
    dists = {p.distribution for p in reg.plugins}
    assert {"ganbench-unrolled", "ganbench-zoo-unrolled"} <= dists
    assert reg.model_owner["unrolled"].distribution == "ganbench-zoo-unrolled"


def test_a_model_name_clash_keeps_first_party_whatever_the_order_and_refuses_the_suite(site, cli, tmp_path):
    # "aaa-" sorts before every ganbench distribution: install order or name order must not matter
    _dist(site, "aaa-impostor", {"impostor": "impostor_gan"}, "impostor_gan", FAKE_MODEL)
    reg = load_registry()
    assert reg.model_owner["gan"].distribution == "ganbench-zoo-gan" and reg.models["gan"].version != "6.6.6"
    lines = [p for p in reg.problems if "'gan'" in p]
    assert len(lines) == 1 and "impostor" in lines[0] and "refused" in lines[0]
    with pytest.raises(SuiteError) as err:
        build_matrix(parse_suite("name: s\nbudget: {steps: 2}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n"),
                     reg, "s.yaml")
    msg = str(err.value)
    assert "model 'gan' is provided by 2 plugins" in msg and "ganbench-zoo-gan" in msg and "aaa-impostor" in msg
    suite = tmp_path / "s.yaml"
    suite.write_text("name: s\nseeds: 1\nbudget: {steps: 2}\ndatasets: [mog-ring8]\nmodels: [{model: gan}]\n")
    res = cli("run", str(suite), "--out", str(tmp_path / "out"), "--no-report")
    assert res.returncode == 2 and "is provided by 2 plugins" in res.stderr and "Traceback" not in res.stderr


def test_a_repeated_entry_point_name_is_a_line_not_a_silent_drop(site):
    _dist(site, "aaa-same-ep", {"gan": "impostor_gan"}, "impostor_gan", FAKE_MODEL)
    reg = load_registry()
    mine = [p for p in reg.plugins if p.distribution == "aaa-same-ep"]
    assert len(mine) == 1 and mine[0].broken
    assert "entry point 'gan' of aaa-same-ep 1.0 clashes with the one of ganbench-zoo-gan" in mine[0].error
    assert reg.model_owner["gan"].distribution == "ganbench-zoo-gan"


def test_two_plugins_sharing_one_import_package_are_named_not_a_pluggy_dump(site):
    text = "from ganbench.api import hookimpl\n"
    _dist(site, "aaa-one", {"one": "shared_plugin"}, "shared_plugin", text)
    _dist(site, "aaa-two", {"two": "shared_plugin"}, "shared_plugin", text)
    reg = load_registry()  # pluggy raised "Plugin already registered" here
    two = next(p for p in reg.plugins if p.distribution == "aaa-two")
    assert two.broken and "already registered as plugin 'one'" in two.error and "aaa-one" in two.error
    assert any("import package 'shared_plugin' is shipped by 2 distributions (aaa-one, aaa-two)" in p
               for p in reg.problems)


def test_every_run_records_the_code_that_made_it(cli, tmp_path):
    suite = tmp_path / "s.yaml"
    suite.write_text("name: s\nseeds: 1\ndevice: cpu\nbudget: {steps: 2}\neval: {n_samples: 50}\n"
                     "datasets: [{name: mog-ring8, params: {n_samples: 200}}]\n"
                     "models: [{model: gan, hparams: {g_hidden: 8, d_hidden: 8}}]\n")
    res = cli("run", str(suite), "--out", str(tmp_path / "out"), "--no-report")
    assert res.returncode == 0, res.stderr
    con = sqlite3.connect(tmp_path / "out" / "results.sqlite")
    code = json.loads(con.execute("SELECT code FROM runs").fetchone()[0])
    assert code["distribution"] == "ganbench-zoo-gan" and code["first_party"] is True
    assert re.fullmatch(r"[0-9a-f]{64}", code["sha256"]) and Path(code["location"]).is_dir()
    meta = json.loads(con.execute("SELECT value FROM meta WHERE key='code'").fetchone()[0])
    assert meta["models"]["gan"]["sha256"] == code["sha256"]
    assert meta["datasets"]["mog-ring8"]["distribution"] == "ganbench"
