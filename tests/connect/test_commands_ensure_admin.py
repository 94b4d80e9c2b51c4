"""`manage.py ensure_admin`: the administrator `make run` creates, whose generated password is
printed once and kept only as a hash; `make admin` resets it."""

import subprocess
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connect.roles import ADMIN
from tests.connect.test_settings import PROJECT

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
    first_line = output.splitlines()[0]
    assert first_line.startswith("Admin login: admin / "), output
    return first_line.removeprefix("Admin login: admin / ")


def password_works(password: str) -> bool:
    return get_user_model().objects.get(username="admin").check_password(password)


def files_containing(folder, text: str) -> list[str]:
    return [str(path) for path in folder.rglob("*") if path.is_file() and text in path.read_text()]


def test_creates_a_superuser_in_the_admin_group_and_prints_a_working_login(data_dir):
    output = ensure_admin()
    password = printed_password(output)
    assert "shown only now" in output

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.groups.filter(name=ADMIN).exists()
    assert len(password) >= 16
    assert password_works(password)
    # Only the hash is kept: the password is in no file of the data folder.
    assert password not in admin.password
    assert files_containing(data_dir, password) == []
    assert not (data_dir / "admin_password").exists()


def test_a_second_run_does_not_print_the_password_again_and_creates_nothing():
    password = printed_password(ensure_admin())
    second = ensure_admin()
    assert password not in second
    assert second.startswith("Admin login: admin (")
    assert "make admin" in second
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert password_works(password)


def test_a_password_changed_in_the_ui_is_kept_until_a_reset():
    first = printed_password(ensure_admin())
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen-by-the-merchant")
    admin.save()

    assert "chosen-by-the-merchant" not in ensure_admin()
    assert password_works("chosen-by-the-merchant")

    reset = printed_password(ensure_admin("--reset-password"))
    assert reset not in (first, "chosen-by-the-merchant")
    assert password_works(reset)
    assert not password_works("chosen-by-the-merchant")


def test_a_plain_text_password_left_by_an_older_version_is_shown_once_then_deleted(data_dir):
    legacy = "legacy-password-123"
    get_user_model().objects.create_superuser("admin", "admin@connect.local", legacy)
    (data_dir / "admin_password").write_text(legacy)

    output = ensure_admin()
    assert printed_password(output) == legacy
    assert "last time" in output
    assert not (data_dir / "admin_password").exists()
    assert legacy not in ensure_admin()


def test_restores_admin_rights_taken_from_an_existing_user():
    ensure_admin()
    user_model = get_user_model()
    user_model.objects.filter(username="admin").update(is_superuser=False, is_active=False)
    user_model.objects.get(username="admin").groups.clear()

    ensure_admin()

    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_active
    assert admin.groups.filter(name=ADMIN).exists()


def test_admin_password_from_the_environment_is_used_and_never_printed(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "set-by-the-deployment")
    output = ensure_admin()
    assert "set-by-the-deployment" not in output
    assert "ADMIN_PASSWORD" in output
    assert password_works("set-by-the-deployment")


def test_an_empty_username_is_refused():
    with pytest.raises(CommandError, match="--username must not be empty"):
        ensure_admin("--username", "  ")
    assert not get_user_model().objects.exists()


def test_make_admin_resets_the_password():
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "admin"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "manage.py ensure_admin --reset-password" in result.stdout
