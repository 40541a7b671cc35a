"""Compatibility path: plugins written against API 1.0 import ``hookimpl`` from here.

The hook specifications live in :mod:`ganbench.contract.hookspecs`; new code imports
``hookimpl`` from :mod:`ganbench.api` (the one spelling the guide and template use).
"""

from ganbench.contract.hookspecs import *  # noqa: F401,F403
from ganbench.contract.hookspecs import hookimpl, hookspec  # noqa: F401
