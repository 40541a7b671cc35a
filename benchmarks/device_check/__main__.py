"""``python -m benchmarks.device_check``: run the device check (see the package docstring)."""

import sys

from benchmarks.device_check.cli import main

sys.exit(main())
