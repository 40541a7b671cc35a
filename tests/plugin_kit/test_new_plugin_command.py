"""``ganbench new-plugin``: names, refusals, and what the rendered package contains (in process;
the installed, tested and benchmarked package is the end-to-end test's job)."""

from __future__ import annotations

import ast

import pytest
import tomllib

from ganbench.api import API_VERSION
from ganbench.cli import COMMANDS, main
from ganbench.commands.new_plugin import NewPluginError, create_plugin, derive_names


def test_registered_as_a_command():
    assert "new-plugin" in COMMANDS


@pytest.mark.parametrize("name, dist, module, model, cls", [
    ("ganbench-mygan", "ganbench-mygan", "ganbench_mygan", "mygan", "Mygan"),
    ("my_cool.gan", "my_cool.gan", "my_cool_gan", "my-cool-gan", "MyCoolGan"),
    ("VEEGAN", "VEEGAN", "veegan", "veegan", "Veegan"),
])
def test_names(name, dist, module, model, cls):
    n = derive_names(name)
    assert (n.dist, n.module, n.model, n.class_name) == (dist, module, model, cls)


@pytest.mark.parametrize("bad", ["", "9lives", "my gan", "a--b", "x/y", "-lead"])
def test_bad_names_are_refused(bad):
    with pytest.raises(NewPluginError, match="not a valid distribution name"):
        derive_names(bad)


def test_rendered_package(tmp_path):
    target = create_plugin("ganbench-foo", tmp_path, model="foo-gan")
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == [".gitignore", "README.md", "ganbench_foo/__init__.py", "ganbench_foo/model.py",
                     "ganbench_foo/plugin.py", "pyproject.toml", "tests/test_conformance.py", "tests/test_model.py"]
    meta = tomllib.loads((target / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "ganbench-foo"
    assert meta["project"]["entry-points"]["ganbench"] == {"ganbench_foo": "ganbench_foo.plugin"}
    for py in target.rglob("*.py"):
        ast.parse(py.read_text(), str(py))  # every rendered module is valid Python
    plugin = (target / "ganbench_foo" / "plugin.py").read_text()
    assert 'name="foo-gan"' in plugin and f'api_version="{API_VERSION}"' in plugin and "@hookimpl" in plugin
    assert 'model = "foo-gan"' in (target / "tests" / "test_conformance.py").read_text()
    assert "{{" not in "".join(p.read_text() for p in target.rglob("*") if p.is_file())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left behind


def test_existing_folder_is_refused_unless_forced(tmp_path, capsys):
    (tmp_path / "ganbench-foo").mkdir()
    (tmp_path / "ganbench-foo" / "keep.txt").write_text("mine")
    assert main(["new-plugin", "ganbench-foo", "--dir", str(tmp_path)]) == 2
    assert "folder exists and is not empty" in capsys.readouterr().err
    assert not (tmp_path / "ganbench-foo" / "pyproject.toml").exists()
    assert main(["new-plugin", "ganbench-foo", "--dir", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "ganbench-foo" / "pyproject.toml").is_file()
    assert (tmp_path / "ganbench-foo" / "keep.txt").read_text() == "mine"  # --force never deletes


def test_cli_bad_name_is_one_clear_line(tmp_path, capsys):
    assert main(["new-plugin", "bad name", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "plugin name 'bad name' is not a valid distribution name" in " ".join(err.split())
    assert not list(tmp_path.iterdir())
