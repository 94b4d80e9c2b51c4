"""Closing the open errors of many records that went through together, in one UPDATE."""

import pytest

from integrations.models import IntegrationError
from integrations.services.errors import error_record, errors_resolve_records

pytestmark = pytest.mark.django_db


def test_only_the_open_errors_of_those_records_are_closed(
    make_integration, django_assert_num_queries
):
    integration = make_integration()
    for record_id in ("1", "2", "3"):
        error_record(
            integration=integration,
            flow_key="count",
            record_type="product",
            record_id=record_id,
            code="x",
            message="Refused.",
        )
    with django_assert_num_queries(1):
        closed = errors_resolve_records(
            integration=integration,
            flow_key="count",
            record_type="product",
            record_ids=[1, 2, 9],
            message="Pushed.",
        )
    assert closed == 2
    statuses = dict(IntegrationError.objects.values_list("record_id", "status"))
    assert statuses == {"1": "resolved", "2": "resolved", "3": "open"}
    assert IntegrationError.objects.get(record_id="1").result_message == "Pushed."
