"""manage.py createuser: a user in the ops or admin role, with a generated or given password."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def create(*args: str, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


def test_an_ops_user_gets_a_generated_password_printed_once():
    output = create("marie", "--role", "ops", "--email", "marie@example.fr")
    password = output.rsplit(": ", 1)[1].strip()
    user = get_user_model().objects.get(username="marie")
    assert user.check_password(password) and len(password) >= 12
    assert [group.name for group in user.groups.all()] == ["ops"]
    assert (user.is_staff, user.is_superuser, user.email) == (False, False, "marie@example.fr")
    assert user.has_perm("sales.change_order") and user.has_perm("inventory.change_stockitem")
    assert not user.has_perm("integrations.manage_integrations")


def test_an_admin_reads_its_password_from_standard_input(monkeypatch):
    output = create(
        "paul",
        "--role",
        "admin",
        "--password-stdin",
        stdin="Tres-long-secret-42\n",
        monkeypatch=monkeypatch,
    )
    assert "Tres-long-secret-42" not in output
    user = get_user_model().objects.get(username="paul")
    assert user.check_password("Tres-long-secret-42")
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("integrations.manage_integrations")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["x", "--role", "boss"], None, "invalid choice"),
        (["x", "--role", "ops", "--password-stdin"], "", "No password"),
        (["x", "--role", "ops", "--password-stdin"], "123\n", "Password refused"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(monkeypatch, args, stdin, message):
    with pytest.raises((CommandError, SystemExit)) as refused:
        create(*args, stdin=stdin, monkeypatch=monkeypatch)
    if isinstance(refused.value, CommandError):
        assert message in str(refused.value)
    assert not get_user_model().objects.filter(username="x").exists()


def test_an_existing_username_is_refused():
    create("marie", "--role", "ops")
    with pytest.raises(CommandError, match="already exists"):
        create("Marie", "--role", "admin")
