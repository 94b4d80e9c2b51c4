"""Tables of measurements, and how numbers are written on the page."""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = str | int | float | None


@dataclass
class Table:
    """``varying`` names the columns whose values change from one run to the next on the same
    code (times, rates, lock waits): the others are counts a fresh run must reproduce."""

    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    varying: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = set(self.varying) - set(self.columns)
        if unknown:
            raise ValueError(f"table {self.title!r}: no column {sorted(unknown)}")

    def add(self, *cells: Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(
                f"table {self.title!r} has {len(self.columns)} columns, got {len(cells)} cells"
            )
        self.rows.append(list(cells))


def format_number(value: int | float) -> str:
    """Integers with thousands separators; other numbers with three significant digits or
    so (a wall time is not known to the microsecond)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_cell(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value.replace("|", "\\|")
    return format_number(value)


def _is_number(cell: Cell) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def table_markdown(table: Table) -> str:
    lines = [f"### {table.title}", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    # Columns of numbers line up on the right; the first column names the case.
    numeric = [
        index > 0 and any(_is_number(row[index]) for row in table.rows)
        for index in range(len(table.columns))
    ]
    lines.append("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(format_cell(cell) for cell in row) + " |")
    for note in table.notes:
        lines.extend(["", note])
    return "\n".join(lines)


def spoken(values: list[int] | tuple[int, ...]) -> str:
    """``(1, 10, 50)`` → ``"1, 10 and 50"``, for the prose of a description."""
    words = [f"{value:,}" for value in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
