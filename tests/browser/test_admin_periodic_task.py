"""The periodic task admin form still says what a crontab means, from a static script (CSP)."""

import pytest
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

from tests.factories import make_admin

pytestmark = pytest.mark.browser


def test_choosing_a_crontab_shows_it_in_words(page, log_in):
    crontab = CrontabSchedule.objects.create(minute="30", hour="6")
    log_in(make_admin(username="root", is_staff=True, is_superuser=True))

    page.goto("/admin/django_celery_beat/periodictask/add/")
    help_text = page.locator(".field-crontab .help")
    before = help_text.inner_text()
    page.locator("#id_crontab").select_option(str(crontab.pk))

    expect(help_text).to_contain_text(crontab.human_readable)
    expect(help_text).to_contain_text(before.strip())
