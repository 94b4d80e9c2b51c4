import pytest
from django.contrib.auth.models import Group, Permission

from connect.roles import ADMIN, OPS, OPS_PERMISSIONS, ensure_roles, resolve_permissions

pytestmark = pytest.mark.django_db


def _names(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_migrate_created_both_groups_with_every_listed_permission():
    ops = Group.objects.get(name=OPS)
    assert _names(ops) == set(OPS_PERMISSIONS)
    admin = Group.objects.get(name=ADMIN)
    assert admin.permissions.count() == Permission.objects.count()


def test_every_listed_permission_exists():
    _, missing = resolve_permissions(OPS_PERMISSIONS)
    assert missing == []


def test_ops_may_not_manage_integrations_but_admin_may():
    assert "integrations.manage_integrations" not in _names(Group.objects.get(name=OPS))
    assert "integrations.manage_integrations" in _names(Group.objects.get(name=ADMIN))


def test_ensure_roles_is_idempotent_and_repairs_drift():
    ops = Group.objects.get(name=OPS)
    ops.permissions.clear()
    stray = Permission.objects.get(codename="manage_integrations")
    ops.permissions.add(stray)

    ensure_roles()
    ensure_roles()

    assert Group.objects.filter(name__in=[OPS, ADMIN]).count() == 2
    assert _names(Group.objects.get(name=OPS)) == set(OPS_PERMISSIONS)


def test_unknown_permission_is_reported_not_fatal():
    found, missing = resolve_permissions(("sales.view_order", "sales.fly_to_moon"))
    assert [p.codename for p in found] == ["view_order"]
    assert missing == ["sales.fly_to_moon"]
