"""Invoices and packing slips as PDF: real PDF files, with the order's text, behind the rights."""

import base64
import re
import zlib

import pytest
from django.urls import reverse

from tests.factories import grant, make_completed_order, make_customer, make_ops, make_user

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text ReportLab wrote: its page streams are ASCII85 then Flate encoded."""
    assert content.startswith(b"%PDF-")
    texts = []
    for encoded in re.findall(
        rb"ASCII85Decode /FlateDecode \] /Length \d+\s*>>\s*stream\r?\n(.*?)~>", content, re.S
    ):
        texts.append(zlib.decompress(base64.a85decode(encoded)).decode("latin-1"))
    return "".join(texts)


def test_the_invoice_pdf_has_the_lines_and_totals(client):
    customer = make_customer(first_name="Léa", last_name="Durand", city="Lyon", postcode="69001")
    order = make_completed_order(customer=customer, quantity=2)
    invoice = order.invoices.get()
    client.force_login(make_ops())

    response = client.get(reverse("sales:invoice_pdf", args=[invoice.number]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{invoice.number}.pdf"'
    text = pdf_text(response.content)
    assert "Facture" in text and invoice.number in text
    assert order.lines.get().sku in text
    assert "24,00" in text and "Lyon" in text


def test_the_packing_slip_lists_what_to_ship_in_english_too(client):
    order = make_completed_order()
    client.force_login(make_ops())
    response = client.get(
        reverse("sales:packing_slip_pdf", args=[order.number]), headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Packing slip" in text and order.number in text
    assert "To ship" in text


def test_documents_need_the_rights(client):
    order = make_completed_order()
    invoice = order.invoices.get()
    client.force_login(grant(make_user(), "sales.view_order"))
    assert client.get(reverse("sales:invoice_pdf", args=[invoice.number])).status_code == 403
    assert client.get(reverse("sales:packing_slip_pdf", args=[order.number])).status_code == 200
    assert client.get(reverse("sales:invoice_pdf", args=["FAC-404"])).status_code == 403


def test_order_page_links_to_its_documents(client):
    order = make_completed_order()
    client.force_login(make_ops())
    page = client.get(reverse("sales:order_detail", args=[order.number]), {"tab": "invoices"})
    assert reverse("sales:packing_slip_pdf", args=[order.number]) in page.text
    assert reverse("sales:invoice_pdf", args=[order.invoices.get().number]) in page.text
