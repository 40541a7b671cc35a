"""An unpickler for files that hold only numpy arrays (CIFAR-10 batches, SeqGAN's oracle).

Pickle runs code by design; these files need nothing beyond numpy's array reconstruction, so every
other global is refused before it can be imported or called.
"""

from __future__ import annotations

import pickle
from typing import Any

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Only numpy array reconstruction is allowed; every other global is refused, naming ``what``."""

    what = "this file"

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in {self.what}")
