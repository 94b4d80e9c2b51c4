"""What a benchmark hands back: tables for people (Markdown) and raw numbers for machines (JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Cell = str | int | float | None


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(
                f"table {self.title!r} has {len(self.columns)} columns, got {len(cells)} cells"
            )
        self.rows.append(list(cells))


@dataclass
class BenchmarkResult:
    """``data`` holds the measured numbers by name (what the tests and the JSON file read);
    ``findings`` are the sentences worth reading first (e.g. a query count that grows per
    line)."""

    name: str
    title: str
    environment: dict[str, str]
    tables: list[Table] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def format_cell(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value).replace("|", "\\|")


def table_markdown(table: Table) -> str:
    lines = [f"### {table.title}", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    # Numbers line up on the right; the first column names the case.
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(table.columns) - 1)) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(format_cell(cell) for cell in row) + " |")
    for note in table.notes:
        lines.extend(["", note])
    return "\n".join(lines)


def result_markdown(result: BenchmarkResult) -> str:
    env = result.environment
    parts = [
        f"Recorded {env['recorded']} with `{env['command']}` on {env['machine']}.",
    ]
    if result.findings:
        parts.append("\n".join(f"- {finding}" for finding in result.findings))
    parts.extend(table_markdown(table) for table in result.tables)
    return "\n\n".join(parts)
