"""The record of one run: what ran where, every table, figure and verdict, as JSON.

``docs/benchmarks.json`` is the record of the last recorded run and ``docs/benchmarks.md`` is
rendered from it alone (:mod:`benchmarks.report`), so every figure on the page comes from that
run, and a test can tell when the page was edited by hand.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.results import Table
from benchmarks.targets import Status, Verdict

FORMAT = 1


class ScenarioStatus:
    RAN = "ran"
    FAILED = "failed"  # the scenario's own checks found it did not do what it claims
    SKIPPED = "skipped"  # its database is not the one of this run


@dataclass
class ScenarioRecord:
    name: str
    title: str
    description: str
    status: str
    database: str  # what it ran on: "none" for the simulator-only scenarios
    seconds: float = 0.0
    error: str = ""
    findings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, float | int | None] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScenarioRecord:
        return cls(
            **{
                **data,
                "tables": [Table(**table) for table in data["tables"]],
                "verdicts": [Verdict.from_dict(verdict) for verdict in data["verdicts"]],
            }
        )


@dataclass
class RunRecord:
    recorded: str  # UTC, minute precision
    mode: str
    command: str
    commit: dict[str, Any]  # sha, short, subject, dirty
    machine: str
    database: str  # what the database scenarios ran on
    seconds: float = 0.0
    # 1-minute load averages when the run started and ended: above the number of CPUs, other
    # work was competing with the benchmarks for the machine (None: not recorded).
    load_average: tuple[float, float] | None = None
    cpus: int | None = None
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)  # of the run as a whole (its length)
    format: int = FORMAT

    @property
    def all_verdicts(self) -> list[Verdict]:
        return [*self.verdicts, *(v for scenario in self.scenarios for v in scenario.verdicts)]

    @property
    def failed(self) -> list[str]:
        """Why the run must exit non-zero: failed scenarios and broken invariants."""
        reasons = [
            f"{scenario.name}: {scenario.error}"
            for scenario in self.scenarios
            if scenario.status == ScenarioStatus.FAILED
        ]
        reasons.extend(v.sentence for v in self.all_verdicts if v.status == Status.BROKEN)
        return reasons

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        if data.get("format") != FORMAT:
            raise ValueError(f"record format {data.get('format')!r}, expected {FORMAT}")
        return cls(
            **{
                **data,
                "scenarios": [ScenarioRecord.from_dict(s) for s in data["scenarios"]],
                "verdicts": [Verdict.from_dict(v) for v in data["verdicts"]],
                "load_average": tuple(data["load_average"]) if data.get("load_average") else None,
            }
        )

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def load(cls, path: Path) -> RunRecord:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def write_atomically(path: Path, text: str) -> None:
    """Readers never see a half-written file, and a crash leaves the old one in place."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
