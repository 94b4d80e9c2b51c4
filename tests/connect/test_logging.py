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


def test_request_lines_never_show_a_webhook_token():
    from connect.log_filters import WebhookTokensMasked

    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(found, WebhookTokensMasked) for found in handler.filters)
    )
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("POST /webhooks/hiboutik/S3cr3tT0ken_-x/ HTTP/1.1", 200, 86),
        None,
    )
    assert handler.filter(record)
    assert record.getMessage() == '"POST /webhooks/hiboutik/***/ HTTP/1.1" 200 86'
    other = logging.LogRecord("x", logging.INFO, __file__, 1, "GET %s", ("/sales/orders/",), None)
    handler.filter(other)
    assert other.getMessage() == "GET /sales/orders/"


def test_gunicorns_access_log_never_shows_a_webhook_token(tmp_path):
    import runpy
    from datetime import timedelta
    from types import SimpleNamespace

    from django.conf import settings
    from django.utils.module_loading import import_string
    from gunicorn.config import Config

    conf = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    logger_class = import_string(conf["logger_class"])
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = logger_class(config)
    path = "/webhooks/hiboutik/S3cr3tT0ken_-x/"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", sent=86, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    logged = (tmp_path / "access.log").read_text()
    assert '"POST /webhooks/hiboutik/***/ HTTP/1.1" 200 86' in logged
    assert "S3cr3t" not in logged
