"""Dataset providers. Each module registers its providers through the ``ganbench_datasets`` hook."""

import os
from pathlib import Path


def default_root() -> Path:
    """``$GANBENCH_DATA`` or ``~/.cache/ganbench/data``: where datasets and evaluators live."""
    env = os.environ.get("GANBENCH_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ganbench" / "data"
