"""Connect's own processes on the run's database: commits that do not wait for the disk, for
this connection and for every connection opened meanwhile, and as before afterwards."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from benchmarks.live import commits_without_waiting_for_the_disk

pytestmark = pytest.mark.skipif(not settings.USING_POSTGRES, reason="a PostgreSQL setting")


def _here() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _in_a_new_connection() -> str:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        return other.execute("SHOW synchronous_commit").fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_commits_do_not_wait_for_the_disk_inside_and_do_again_after():
    assert (_here(), _in_a_new_connection()) == ("on", "on")
    with commits_without_waiting_for_the_disk():
        assert (_here(), _in_a_new_connection()) == ("off", "off")
    assert (_here(), _in_a_new_connection()) == ("on", "on")
