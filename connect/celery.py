"""The Celery application; its configuration is the CELERY_* block of connect.settings."""

import os

from celery import Celery, signals

from connect.startup_heap import freeze_startup_heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connect.settings")

app = Celery("connect")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _freeze_startup_heap(**_kwargs: object) -> None:
    # Django and the tasks are loaded by now, and a prefork pool's children inherit the freeze.
    freeze_startup_heap()
