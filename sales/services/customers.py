"""Customer writes and the look-up by email."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from integrations.services.marks import bindings_mark_changed
from sales.exceptions import InvalidCustomer
from sales.models import Customer, CustomerGroup

TEXT_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "phone",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "region",
)
UPDATABLE_FIELDS = (*TEXT_FIELDS, "email", "country", "group")
# What integrations send of a customer: a change to one of these marks the customer's
# bindings, in the same transaction, for the next export run.
PUSHED_FIELDS = frozenset({"first_name", "last_name", "email", "company", "phone", "country"})


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def customer_get_by_email(email: str) -> Customer | None:
    """The customer with this email (case-insensitive), or None."""
    email = normalize_email(email)
    if not email:
        return None
    return Customer.objects.filter(email__iexact=email).first()


def customer_values_check(values: dict) -> dict:
    """The customer field values as the services store them; `InvalidCustomer` says what is
    wrong. Forms that write through the services (the admin's) check with it first."""
    cleaned = {}
    for name, value in values.items():
        if name in TEXT_FIELDS:
            max_length = Customer._meta.get_field(name).max_length
            cleaned[name] = str(value or "").strip()[:max_length]
        elif name == "email":
            email = normalize_email(value)
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    raise InvalidCustomer(
                        gettext("%(email)s is not a valid email address.") % {"email": email}
                    ) from None
            cleaned[name] = email
        elif name == "country":
            country = str(value or "").strip().upper()
            if country and (len(country) != 2 or not country.isalpha()):
                raise InvalidCustomer(
                    gettext("Country must be an ISO alpha-2 code such as FR, not %(value)r.")
                    % {"value": value}
                )
            cleaned[name] = country
        elif name == "group":
            if value is not None and not isinstance(value, CustomerGroup):
                raise InvalidCustomer(gettext("Unknown customer group."))
            cleaned[name] = value
        else:
            raise InvalidCustomer(gettext("Unknown customer field: %(name)s") % {"name": name})
    return cleaned


def _duplicate(email: str) -> InvalidCustomer:
    return InvalidCustomer(
        gettext("A customer with the email %(email)s already exists.") % {"email": email}
    )


def customer_create(*, email: str = "", **fields: object) -> Customer:
    """Create a customer; the email, when given, must not belong to another customer."""
    values = customer_values_check({"email": email, **fields})
    if not (values["email"] or values.get("last_name") or values.get("company")):
        raise InvalidCustomer(gettext("A customer needs an email, a last name or a company."))
    try:
        with transaction.atomic():
            return Customer.objects.create(**values)
    except IntegrityError:
        if values["email"] and customer_get_by_email(values["email"]):
            raise _duplicate(values["email"]) from None
        raise


def customer_update(*, customer: Customer, **changes: object) -> list[str]:
    """Change some fields; returns the names of those that really changed (none: no write)."""
    cleaned = customer_values_check(changes)
    changed = [name for name, value in cleaned.items() if getattr(customer, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(customer, name, cleaned[name])
    try:
        with transaction.atomic():
            customer.save(update_fields=[*changed, "updated_at"])
            if PUSHED_FIELDS.intersection(changed):
                bindings_mark_changed(object_type="customer", object_ids=[customer.pk])
    except IntegrityError:
        customer.refresh_from_db()
        raise _duplicate(cleaned.get("email", "")) from None
    return changed
