"""Printable documents of an order as PDF: the invoice and the packing slip.

Written with ReportLab (pure Python, installed from PyPI alone) in its built-in Helvetica, so
nothing is fetched and no system library is needed. Those fonts cover Western European text
(cp1252, with €); a character outside it is printed as "?" rather than as a missing glyph.
Texts follow the active language, amounts the order's currency.
"""

from decimal import Decimal
from io import BytesIO

from django.utils import formats, timezone
from django.utils.translation import gettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from connect.templatetags.formatting import money
from sales.models import Customer, Invoice, Order

MARGIN = 18 * mm
# Characters Helvetica (cp1252) has for the narrow spaces money formatting uses.
SPACES = str.maketrans({"\u202f": "\u00a0", "\u2009": " "})


def _text(value: object) -> str:
    """Printable in Helvetica: cp1252, escaped for ReportLab's paragraph markup."""
    text = str(value).translate(SPACES).encode("cp1252", errors="replace").decode("cp1252")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=sheet["Title"], alignment=0, fontSize=18),
        "body": ParagraphStyle("body", parent=sheet["BodyText"], fontSize=9.5, leading=12),
        "small": ParagraphStyle("small", parent=sheet["BodyText"], fontSize=8, leading=10),
        "right": ParagraphStyle("right", parent=sheet["BodyText"], fontSize=9.5, alignment=2),
    }


def _lines(*parts: object) -> str:
    return "<br/>".join(_text(part) for part in parts if part)


def _address(order: Order, customer: Customer | None) -> str:
    name = order.customer_name or (customer.full_name if customer else "") or gettext("Guest")
    if customer is None:
        return _lines(name, order.customer_email)
    return _lines(
        name,
        customer.company,
        customer.address_line1,
        customer.address_line2,
        " ".join(part for part in (customer.postcode, customer.city) if part),
        customer.country,
        order.customer_email,
    )


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


def _heading(title: str, facts: list[tuple[str, str]], order: Order, styles) -> list[Flowable]:
    facts_table = Table(
        [
            [Paragraph(_text(label), styles["small"]), Paragraph(_text(value), styles["body"])]
            for label, value in facts
        ],
        colWidths=[32 * mm, 55 * mm],
    )
    parties = Table(
        [
            [
                Paragraph(f"<b>{_text(order.store.name)}</b>", styles["body"]),
                Paragraph(_address(order, order.customer), styles["body"]),
            ]
        ],
        colWidths=[87 * mm, 87 * mm],
    )
    return [
        Table(
            [[Paragraph(_text(title), styles["title"]), facts_table]],
            colWidths=[87 * mm, 87 * mm],
        ),
        Spacer(1, 6 * mm),
        parties,
        Spacer(1, 8 * mm),
    ]


def _grid(rows: list[list], widths: list[float], numeric_from: int) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0f4")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#c5ccd8")),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _build(story: list[Flowable], title: str) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="Connect",
    )
    document.build(story)
    return buffer.getvalue()


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice with its lines, taxes and totals."""
    order = invoice.order
    currency = order.currency
    styles = _styles()
    title = gettext("Invoice %(number)s") % {"number": invoice.number}
    story = _heading(
        title,
        [
            (gettext("Date"), _date(invoice.created_at)),
            (gettext("Order"), order.number),
            (gettext("Order date"), _date(order.placed_at)),
        ],
        order,
        styles,
    )
    rows = [
        [
            _text(gettext("SKU")),
            _text(gettext("Product")),
            _text(gettext("Qty")),
            _text(gettext("Unit price incl. tax")),
            _text(gettext("Tax rate")),
            _text(gettext("Total incl. tax")),
        ]
    ]
    for line in invoice.lines.select_related("order_line").order_by("pk"):
        order_line = line.order_line
        rows.append(
            [
                _text(order_line.sku),
                Paragraph(_text(order_line.name), styles["body"]),
                str(line.quantity),
                _text(money(order_line.unit_price_incl_tax, currency)),
                _text(f"{order_line.tax_rate.normalize():f} %"),
                _text(money(line.row_total_incl_tax, currency)),
            ]
        )
    story.append(_grid(rows, [28 * mm, 62 * mm, 12 * mm, 28 * mm, 16 * mm, 28 * mm], 2))
    totals = [
        (gettext("Subtotal excl. tax"), invoice.subtotal),
        (gettext("Shipping excl. tax"), invoice.shipping_amount),
        (gettext("Tax"), invoice.tax_total),
        (gettext("Total incl. tax"), invoice.grand_total),
    ]
    story += [Spacer(1, 4 * mm), _totals(totals, currency)]
    return _build(story, title)


def _totals(totals: list[tuple[str, Decimal]], currency: str) -> Table:
    table = Table(
        [[_text(label), _text(money(amount, currency))] for label, amount in totals],
        colWidths=[146 * mm, 28 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9.5),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 10),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    return table


def packing_slip_pdf(order: Order) -> bytes:
    """What to pick and pack: every line with its quantity ordered, shipped and still to ship
    (no prices), and where it goes."""
    styles = _styles()
    title = gettext("Packing slip %(number)s") % {"number": order.number}
    story = _heading(
        title,
        [
            (gettext("Order date"), _date(order.placed_at)),
            (gettext("Warehouse"), order.warehouse.name),
            (
                gettext("Shipping method"),
                order.shipping_method.name if order.shipping_method else "—",
            ),
        ],
        order,
        styles,
    )
    rows = [
        [
            _text(gettext("SKU")),
            _text(gettext("Product")),
            _text(gettext("Ordered")),
            _text(gettext("Shipped")),
            _text(gettext("To ship")),
        ]
    ]
    for line in order.lines.order_by("position", "pk"):
        rows.append(
            [
                _text(line.sku),
                Paragraph(_text(line.name), styles["body"]),
                str(line.quantity - line.qty_canceled),
                str(line.qty_shipped),
                str(max(line.qty_to_ship, 0)),
            ]
        )
    story.append(_grid(rows, [32 * mm, 82 * mm, 20 * mm, 20 * mm, 20 * mm], 2))
    return _build(story, title)
