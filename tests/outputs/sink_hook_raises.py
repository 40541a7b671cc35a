"""A sink plugin whose hook raises."""

from ganbench.contract.hookspecs import hookimpl


@hookimpl
def ganbench_sinks():
    raise RuntimeError("sink hook exploded")
