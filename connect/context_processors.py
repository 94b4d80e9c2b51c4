"""Data every page's layout needs: the menu the user may see and the unread notifications count."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: Promise
    url_name: str
    # One permission, or several of which any opens the page.
    permission: str | tuple[str, ...]

    def allowed(self, user) -> bool:
        permissions = (self.permission,) if isinstance(self.permission, str) else self.permission
        return any(user.has_perm(permission) for permission in permissions)


@dataclass(frozen=True)
class MenuSection:
    label: Promise
    items: tuple[MenuItem, ...]


MENU: tuple[MenuSection, ...] = (
    MenuSection(
        _("Sales"),
        (
            MenuItem(_("Orders"), "sales:order_list", "sales.view_order"),
            MenuItem(_("Customer returns"), "sales:rma_list", "sales.view_rma"),
            MenuItem(_("Customers"), "sales:customer_list", "sales.view_customer"),
        ),
    ),
    MenuSection(
        _("Catalogue"),
        (MenuItem(_("Products"), "inventory:product_list", "inventory.view_product"),),
    ),
    MenuSection(
        _("Inventory"),
        (
            MenuItem(
                _("Mass stock edit"), "inventory:stock_mass_edit", "inventory.change_stockitem"
            ),
        ),
    ),
    MenuSection(
        _("Integrations"),
        (
            MenuItem(
                _("Integrations"),
                "integrations:integration_list",
                ("integrations.manage_integrations", "integrations.operate_integrations"),
            ),
        ),
    ),
)


def menu_for(user, current_path: str = "") -> list[dict]:
    """The menu sections holding at least one page `user` may open, with the current page marked."""
    sections = []
    for section in MENU:
        items = []
        for item in section.items:
            if not item.allowed(user):
                continue
            url = reverse(item.url_name)
            items.append({"label": item.label, "url": url, "active": current_path.startswith(url)})
        if items:
            sections.append({"label": section.label, "items": items})
    return sections


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from integrations.models import Notification

    return {
        "menu": menu_for(user, request.path),
        "unread_notifications": Notification.objects.unread_for(user).count(),
    }
