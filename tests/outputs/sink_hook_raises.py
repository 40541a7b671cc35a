"""A sink plugin whose hook raises."""

from ganbench.hookspecs import hookimpl


@hookimpl
def ganbench_sinks():
    raise RuntimeError("sink hook exploded")
