"""Checks and small conversions shared by the stock services."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext

from inventory.exceptions import InvalidQuantity, InvalidReason
from inventory.models import StockMovement

Reason = StockMovement.Reason

# The largest physical quantity a person may type: far below the IntegerField column's limit,
# so no sum of typed changes can overflow it.
MAX_QUANTITY = 1_000_000_000


def check_int(value: object, *, name: str = "quantity") -> int:
    # bool is an int subclass; True as a quantity is always a bug upstream.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuantity(
            gettext("%(name)s must be a whole number, not %(value)r.")
            % {"name": name, "value": value}
        )
    return value


def check_reason(reason: str) -> str:
    if reason not in Reason.values:
        raise InvalidReason(
            gettext("Unknown stock movement reason: %(reason)r.") % {"reason": reason}
        )
    return reason


def real_user(user: object) -> object | None:
    return user if getattr(user, "is_authenticated", False) else None


def movement_reference(
    reference: models.Model | None, reference_label: str
) -> tuple[ContentType | None, str, str]:
    """(content type, id, label) recording what caused a movement.

    `get_for_model` is served from ContentType's per-process cache after its first call.
    """
    if reference is None:
        return None, "", reference_label[:200]
    return (
        ContentType.objects.get_for_model(reference),
        str(reference.pk),
        (reference_label or str(reference))[:200],
    )
