"""What a running Connect logs: each line once, one line (no traceback) for a refused or
missing page, the full traceback for a server error."""

import logging

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_django_lines_go_through_the_root_handler_only():
    # Django's own console handler printed every request error a second time.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate


@pytest.mark.parametrize(("url", "status"), [("/sales/orders/", 403), ("/nowhere/", 404)])
def test_a_refused_or_missing_page_is_one_line_without_traceback(client, caplog, url, status):
    client.force_login(make_user())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(url).status_code == status
    records = [record for record in caplog.records if record.name == "django.request"]
    assert len(records) == 1
    assert records[0].exc_info is None and records[0].exc_text is None


def test_a_server_error_keeps_its_traceback(client, caplog, monkeypatch):
    client.raise_request_exception = False
    client.force_login(make_user(is_superuser=True))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("sales.views.OrderListView.get_queryset", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        assert client.get(reverse("sales:order_list")).status_code == 500
    (record,) = [record for record in caplog.records if record.name == "django.request"]
    assert record.exc_info is not None


def test_the_demo_summary_counts_in_words(capsys):
    from connect.management.commands.demo import SINGULAR

    assert SINGULAR["returns"] == "return"
