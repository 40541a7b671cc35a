"""A sink plugin whose hook returns 42 instead of a list of SinkSpec."""

from ganbench.contract.hookspecs import hookimpl


@hookimpl
def ganbench_sinks():
    return 42
