"""The two roles of Connect, as auth groups kept in step with the code after every migration.

*ops* runs the shop day to day (orders, returns, refunds, stock; reads the catalogue and the
customers); *admin* may do everything, integrations and their credentials included.
"""

import logging

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

logger = logging.getLogger(__name__)

OPS = "ops"
ADMIN = "admin"

# "app_label.codename"; extend when a model the operators handle is added.
OPS_PERMISSIONS: tuple[str, ...] = (
    "sales.view_order",
    "sales.change_order",
    "sales.view_orderline",
    "sales.view_orderpayment",
    "sales.view_invoice",
    "sales.view_shipment",
    "sales.view_rma",
    "sales.add_rma",
    "sales.change_rma",
    "sales.view_rmaline",
    "sales.view_refund",
    "sales.add_refund",
    "sales.view_refundline",
    "sales.view_orderevent",
    "sales.view_customer",
    "sales.view_store",
    "inventory.view_product",
    "inventory.view_productimage",
    "inventory.view_warehouse",
    "inventory.view_stockitem",
    "inventory.change_stockitem",
    "inventory.view_stockmovement",
    "inventory.add_stockmovement",
    "integrations.operate_integrations",
)


def _split(permission: str) -> tuple[str, str]:
    app_label, _, codename = permission.partition(".")
    return app_label, codename


def resolve_permissions(names: tuple[str, ...]) -> tuple[list[Permission], list[str]]:
    """The Permission rows for `names`, and the names that do not exist (yet)."""
    if not names:
        return [], []
    query = Q()
    for name in names:
        app_label, codename = _split(name)
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    found_names = {f"{p.content_type.app_label}.{p.codename}" for p in found}
    return found, [name for name in names if name not in found_names]


def ensure_roles() -> dict[str, Group]:
    """Create or update the ops and admin groups; safe to run any number of times."""
    ops, _ = Group.objects.get_or_create(name=OPS)
    ops_permissions, missing = resolve_permissions(OPS_PERMISSIONS)
    if missing:
        # A model not migrated yet (or renamed): the group gets the rest and the log says what.
        logger.warning("Roles: permissions not found, not granted to ops: %s", ", ".join(missing))
    ops.permissions.set(ops_permissions)

    admin, _ = Group.objects.get_or_create(name=ADMIN)
    admin.permissions.set(Permission.objects.all())
    return {OPS: ops, ADMIN: admin}


def ensure_roles_after_migrate(sender, **kwargs) -> None:
    """post_migrate receiver: run once per migrate, after the last app created its permissions.

    Django sends post_migrate once per app that has models, in INSTALLED_APPS order, and creates
    each app's permissions in its own round; only the last round sees them all.
    """
    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if not with_models or sender.label != with_models[-1].label:
        return
    ensure_roles()
