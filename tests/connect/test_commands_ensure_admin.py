"""`manage.py ensure_admin`: the login `make run` prints, the same on every run."""

import os
import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connect.roles import ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path
    return tmp_path


def ensure_admin(*args: str) -> str:
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue().strip()


def printed_password(output: str) -> str:
    assert output.startswith("Admin login: admin / "), output
    return output.removeprefix("Admin login: admin / ")


def test_creates_a_superuser_in_the_admin_group_and_prints_a_working_login(client, data_dir):
    password = printed_password(ensure_admin())

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.groups.filter(name=ADMIN).exists()
    assert (data_dir / "admin_password").read_text() == password
    assert stat.S_IMODE(os.stat(data_dir / "admin_password").st_mode) == 0o600
    assert len(password) >= 16
    assert client.login(username="admin", password=password)


def test_a_second_run_prints_the_same_login_and_creates_nothing():
    first = ensure_admin()
    second = ensure_admin()
    assert first == second
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_a_password_changed_in_the_ui_is_kept_until_reset_is_asked(client):
    stored = printed_password(ensure_admin())
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen-by-the-merchant")
    admin.save()

    output = ensure_admin()
    assert stored not in output
    assert "was changed" in output
    assert "--reset-password" in output
    assert client.login(username="admin", password="chosen-by-the-merchant")

    assert printed_password(ensure_admin("--reset-password")) == stored
    assert client.login(username="admin", password=stored)


def test_restores_admin_rights_taken_from_an_existing_user():
    ensure_admin()
    user_model = get_user_model()
    user_model.objects.filter(username="admin").update(is_superuser=False, is_active=False)
    user_model.objects.get(username="admin").groups.clear()

    ensure_admin()

    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_active
    assert admin.groups.filter(name=ADMIN).exists()


def test_admin_password_from_the_environment_wins(monkeypatch, data_dir, client):
    monkeypatch.setenv("ADMIN_PASSWORD", "set-by-the-deployment")
    assert printed_password(ensure_admin()) == "set-by-the-deployment"
    assert not (data_dir / "admin_password").exists()
    assert client.login(username="admin", password="set-by-the-deployment")


def test_an_empty_username_is_refused():
    with pytest.raises(CommandError, match="--username must not be empty"):
        ensure_admin("--username", "  ")
    assert not get_user_model().objects.exists()
