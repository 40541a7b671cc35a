"""The equivalence tests import their independent reference loop as a plain module."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # reference_gan (importlib import mode adds no rootdir)
