"""The zoo's model declarations are data (``models.yaml`` beside each plugin): the loader refuses a
malformed file naming the file and the model, and every file ships with its package."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib
import yaml

pytest.importorskip("ganbench_layers")
from ganbench_layers.spec import ZooSpecError, parse_models  # noqa: E402

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
GOOD = {"name": "m", "description": "d", "paper": "p", "capabilities": {"data_kinds": ["image"]}, "defaults": {"lr": 2.0e-4}}


def parse(text: str):
    return parse_models(yaml.safe_load(text), "pkg/models.yaml")


def test_a_valid_file_gives_model_fields_with_python_types():
    api, [fields] = parse(yaml.safe_dump({"api_version": "1.4", "models": [GOOD]}))
    assert api == "1.4" and fields["capabilities"].data_kinds == ("image",)
    assert fields["defaults"] == {"lr": 2.0e-4} and type(fields["defaults"]["lr"]) is float


@pytest.mark.parametrize("model, message", [
    ({k: v for k, v in GOOD.items() if k != "paper"}, "model 'm': missing ['paper']"),
    ({**GOOD, "colour": 1}, "model 'm': unknown keys ['colour']"),
    ({**GOOD, "capabilities": {"colour": 1}}, "model 'm': unknown capabilities ['colour']"),
    ({**GOOD, "defaults": {"lr": "2e-4"}}, "model 'm': default lr: '2e-4' is read as text"),
])
def test_a_malformed_model_is_refused_naming_file_and_model(model, message):
    with pytest.raises(ZooSpecError, match="pkg/models.yaml: " + message.replace("[", r"\[").replace("]", r"\]")):
        parse(yaml.safe_dump({"api_version": "1.4", "models": [model]}))


def test_api_version_must_be_declared_as_text():
    with pytest.raises(ZooSpecError, match="api_version"):
        parse("models: []")
    with pytest.raises(ZooSpecError, match="quoted string"):
        parse("api_version: 1.4\nmodels: [{name: m}]")


@pytest.mark.parametrize("models_yaml", sorted(PLUGINS.glob("ganbench-*/ganbench_*/models.yaml")), ids=lambda p: p.parent.name)
def test_every_models_yaml_is_package_data(models_yaml: Path):
    project = tomllib.loads((models_yaml.parents[1] / "pyproject.toml").read_text())
    package_data = project["tool"]["setuptools"]["package-data"]
    assert "models.yaml" in package_data.get(models_yaml.parent.name, []), models_yaml
