"""`make run` logs every process's time in the zone Django logs in."""

from pathlib import Path

from django.conf import settings

PROJECT = Path(__file__).resolve().parents[1]


def test_make_run_sets_the_time_zone_django_logs_in():
    makefile = (PROJECT / "Makefile").read_text()
    assert f"run: export TZ := {settings.TIME_ZONE}" in makefile
