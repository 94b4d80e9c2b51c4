"""The mass stock edit's CSV import: read `SKU;quantity` lines, preview what each would do.

Reading only: the lines are applied by `stock_set_many`, which checks each one again under its
row lock (stock may move between the preview and the apply).
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from inventory.models import Product, StockItem, Warehouse
from inventory.services import (
    StockDelta,
    StockEditError,
    StockEditInvalid,
    check_new_quantity,
    parse_stock_entry,
)

MAX_BYTES = 1024 * 1024
MAX_LINES = 20_000
SEPARATORS = ";,\t"
# Titles of the quantity column that mark a header line.
HEADER_WORDS = {"quantity", "quantité", "quantite", "qty", "qté", "qte", "stock", "physical"}


class ImportFileError(ValueError):
    """The file cannot be read at all: `error` says why."""

    def __init__(self, error: StockEditError) -> None:
        self.error = error
        super().__init__(str(error))


def _error(code: str, message: str, **params: object) -> StockEditError:
    return StockEditError(code, message, params)


@dataclass
class ImportLine:
    """One line of the file, and what applying it does (or why it cannot)."""

    number: int
    sku: str
    raw: str
    entry: int | StockDelta | None = None
    product: Product | None = None
    physical: int = 0
    reserved: int = 0
    new: int | None = None
    error: StockEditError | None = None
    saved: bool = False

    @property
    def change(self) -> int:
        return 0 if self.new is None else self.new - self.physical


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without the BOM spreadsheets add), else Windows-1252,
    which French spreadsheets still save."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(too_large())
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportFileError(_not_csv())
    return text


def too_large() -> StockEditError:
    return _error("too_large", gettext_noop("The file is larger than %(size)s MB."), size=1)


def _not_csv() -> StockEditError:
    return _error(
        "not_csv",
        gettext_noop(
            "This is not a CSV text file: save the spreadsheet as CSV (semicolon-separated)."
        ),
    )


def _separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(SEPARATORS, key=first.count) if first else ";"


def parse_lines(text: str) -> list[ImportLine]:
    """Every non-blank line as SKU and quantity; a first line whose second column is titled
    (quantity, quantité, qty, stock…) is the header and is skipped. Malformed lines and
    repeated SKUs get their error."""
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=_separator(text)))
    except csv.Error:
        raise ImportFileError(_not_csv()) from None
    lines: list[ImportLine] = []
    first_line_of: dict[str, int] = {}
    header_seen = False
    for number, cells in enumerate(rows, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(lines) >= MAX_LINES:
            raise ImportFileError(
                _error(
                    "too_many_lines",
                    gettext_noop("The file has more than %(max)s lines: split it."),
                    max=MAX_LINES,
                )
            )
        sku, raw = [*cells, "", ""][:2]
        first, header_seen = not header_seen, True
        if first and raw.casefold() in HEADER_WORDS:
            continue
        line = ImportLine(number=number, sku=sku, raw=raw)
        if len([cell for cell in cells if cell]) > 2 or not sku:
            line.error = _error(
                "malformed", gettext_noop("Expected two columns: the SKU, then the quantity.")
            )
        elif sku in first_line_of:
            line.error = _error(
                "duplicate",
                gettext_noop("This SKU is already on line %(line)s."),
                line=first_line_of[sku],
            )
        else:
            first_line_of[sku] = number
            try:
                line.entry = parse_stock_entry(raw)
            except StockEditInvalid as invalid:
                line.error = invalid.error
        lines.append(line)
    return lines


def preview(lines: list[ImportLine], warehouse: Warehouse) -> None:
    """Fill in each readable line's product (SKUs match exactly, as they are unique), current
    stock and the quantity it would set, or its error, as `stock_set_many` would decide now.
    Two queries whatever the line count."""
    readable = [line for line in lines if line.error is None]
    products = Product.objects.in_bulk({line.sku for line in readable}, field_name="sku")
    items = {
        item.product_id: item
        for item in StockItem.objects.filter(
            warehouse=warehouse, product__in=list(products.values())
        )
    }
    for line in readable:
        line.product = products.get(line.sku)
        if line.product is None:
            line.error = _error("unknown_sku", gettext_noop("Unknown SKU."))
            continue
        item = items.get(line.product.pk)
        if item is not None:
            line.physical, line.reserved = item.physical, item.reserved
        outcome = check_new_quantity(line.entry, item)
        if isinstance(outcome, StockEditError):
            line.error = outcome
        else:
            line.new = outcome
