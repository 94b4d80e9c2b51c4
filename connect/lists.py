"""What every list page shares: sortable columns and a streamed CSV export of the filtered list.

A list declares its columns once (`Column`): the sort key of the URL (`?sort=date`,
`?sort=-date`), the database ordering it stands for, and how the CSV export writes it.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language

# Rows read from the database at a time while streaming: memory stays flat at any size.
EXPORT_CHUNK = 2000
# A cell starting with one of these is a formula to a spreadsheet: a customer named
# "=HYPERLINK(…)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: Promise
    # The value written to the CSV export for one row.
    value: Callable[[object], object]
    # The URL's sort key and the ordering it means (None: not sortable).
    key: str = ""
    ordering: tuple[str, ...] = ()


class SortableListMixin:
    """`?sort=<key>` or `?sort=-<key>` orders the list by a declared column; anything else
    keeps the default order. A tie-breaker on the primary key keeps pages stable."""

    columns: tuple[Column, ...] = ()
    default_sort = ""

    def sort_key(self) -> str:
        asked = self.request.GET.get("sort", "")
        keys = {column.key for column in self.columns if column.key}
        return asked if asked.lstrip("-") in keys else self.default_sort

    def sort(self, queryset: QuerySet) -> QuerySet:
        key = self.sort_key()
        if not key:
            return queryset
        column = next(c for c in self.columns if c.key == key.lstrip("-"))
        descending = key.startswith("-")
        ordering = [f"-{field}" if descending else field for field in column.ordering]
        return queryset.order_by(*ordering, "-pk" if descending else "pk")

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(sort=self.sort_key(), **kwargs)


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def cell(value: object) -> str:
    """A value as the export writes it: amounts and numbers in the reader's language, dates
    in local time, formulas neutralised."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "as_tuple"):  # Decimal
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=False)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(filename: str, columns: Iterable[Column], rows: QuerySet) -> StreamingHttpResponse:
    """The rows as a CSV file, streamed: written as they are read, whatever their number.
    Semicolons and a BOM for French readers (what their spreadsheet opens), commas otherwise."""
    columns = list(columns)
    french = (get_language() or "").startswith("fr")
    writer = csv.writer(_Echo(), delimiter=";" if french else ",")

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow([str(column.label) for column in columns])
        for row in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield writer.writerow([cell(column.value(row)) for column in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"
