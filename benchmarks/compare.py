"""Does a fresh run reproduce a record's counts?

Query counts, API calls and rows do not depend on the machine: a fresh run of the same mode on
the same code must give the same ones. Columns a table marks ``varying`` (times, rates, lock
waits) are skipped; every other cell must be equal.
"""

from __future__ import annotations

from benchmarks.record import RunRecord, ScenarioStatus
from benchmarks.results import Cell, Table


def compare_records(recorded: RunRecord, fresh: RunRecord) -> list[str]:
    if recorded.mode != fresh.mode:
        return [f"the record is a {recorded.mode} run, this one a {fresh.mode} run"]
    differences = []
    fresh_scenarios = {scenario.name: scenario for scenario in fresh.scenarios}
    for old in recorded.scenarios:
        new = fresh_scenarios.get(old.name)
        if old.status != ScenarioStatus.RAN or new is None or new.status != ScenarioStatus.RAN:
            continue
        new_tables = {table.title: table for table in new.tables}
        for table in old.tables:
            if table.title not in new_tables:
                differences.append(f"{old.name}: table {table.title!r} is gone")
                continue
            differences.extend(
                f"{old.name}: {message}"
                for message in compare_tables(table, new_tables[table.title])
            )
    return differences


def compare_tables(old: Table, new: Table) -> list[str]:
    if old.columns != new.columns or len(old.rows) != len(new.rows):
        return [f"table {old.title!r} changed shape"]
    differences = []
    for old_row, new_row in zip(old.rows, new.rows, strict=True):
        for column, before, after in zip(old.columns, old_row, new_row, strict=True):
            if column in old.varying or _same(before, after):
                continue
            differences.append(
                f"{old.title!r}, row {old_row[0]!r}, {column}: {before!r} then {after!r}"
            )
    return differences


def _same(before: Cell, after: Cell) -> bool:
    if isinstance(before, float) or isinstance(after, float):
        if before is None or after is None or isinstance(before, str) or isinstance(after, str):
            return False
        return abs(before - after) <= 1e-9 * max(1.0, abs(before))
    return before == after
