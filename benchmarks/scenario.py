"""What a scenario declares (sizes per mode, targets) and what its run hands back.

A scenario is a module of ``benchmarks/`` named in :mod:`benchmarks.registry`. It declares:

- ``NAME`` and ``TITLE``;
- ``SIZES``: its sizes by :class:`Mode` (a mode it is missing from does not run it);
- ``TARGETS``: a tuple of :class:`~benchmarks.targets.Target`, each naming one of the figures
  the run produces, beside the scenario they judge;
- ``describe(sizes) -> str``: what it measures and why, in Markdown, with the sizes of this run
  (the only numbers it may state: measured ones come from the run);
- ``run(sizes) -> Outcome``.

The run measures and checks what it did (:func:`benchmarks.checks.check` raises when the
benchmark itself went wrong); the targets are judged afterwards, from ``Outcome.figures``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from benchmarks.results import Table


class Mode(StrEnum):
    """How big a run is: ``full`` (``make bench``), ``quick`` (``make bench-quick``, reduced
    sizes, under five minutes in all) and ``smoke`` (the test suite's check that every
    scenario still works: smallest sizes, one cold run, numbers not worth recording)."""

    FULL = "full"
    QUICK = "quick"
    SMOKE = "smoke"


class DatabaseNeed(StrEnum):
    NONE = "none"  # the simulator and the client only
    ANY = "any"  # SQLite or PostgreSQL
    POSTGRESQL = "postgresql"  # measures what only a server database does (row locks)


@dataclass
class Outcome:
    """What a scenario measured.

    ``figures``: the numbers the targets judge, by name (flat, JSON-friendly).
    ``explanations``: by figure name, what the run saw that explains the figure, in one
    sentence; shown beside a target that is missed (e.g. "at most 1 call was in flight").
    ``findings``: sentences worth reading before the tables.
    """

    tables: list[Table] = field(default_factory=list)
    figures: dict[str, float | int | None] = field(default_factory=dict)
    explanations: dict[str, str] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
