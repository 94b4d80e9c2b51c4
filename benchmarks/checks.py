"""Refusing to record numbers from a run that did not do what it claims."""


class BenchmarkError(Exception):
    """A benchmark saw a wrong result; its numbers must not be recorded."""


def check(condition: bool, message: str) -> None:
    # Not `assert`: a benchmark run with -O must still refuse to record wrong numbers.
    if not condition:
        raise BenchmarkError(message)


class NotRun(Exception):
    """The scenario cannot run on this commit or this machine (a flow it measures is missing,
    no Redis to run a worker on): it is reported as not run, with why, and records no figure."""
