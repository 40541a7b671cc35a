"""Dataset providers. Each module registers its providers through the ``ganbench_datasets`` hook."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def default_root() -> Path:
    """``$GANBENCH_DATA`` or ``~/.cache/ganbench/data``: where datasets and evaluators live."""
    env = os.environ.get("GANBENCH_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ganbench" / "data"


def check_params(params: Mapping[str, Any], defaults: Mapping[str, Any], dataset: str) -> dict[str, Any]:
    """Unknown parameters are an error naming the dataset and the known ones (typos cost seconds)."""
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(sorted(unknown))} for dataset {dataset!r}; "
            f"known: {', '.join(sorted(defaults))}"
        )
    return {**defaults, **params}
