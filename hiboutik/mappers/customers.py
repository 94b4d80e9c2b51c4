"""Customers: created with ``customers_*`` fields, read back with unprefixed names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.values import optional, parse_date, require_int, require_mapping, text
from hiboutik.types import Customer, NewCustomer

# Update attributes use the read names (hiboutik-api.md §8).
CUSTOMER_UPDATE_ATTRIBUTES = frozenset(
    {
        "gender",
        "last_name",
        "first_name",
        "email",
        "company",
        "phone",
        "vat",
        "country",
        "date_of_birth",
        "customers_code",
        "comments",
        "validity",
        "customers_ref_ext",
        "customers_misc",
    }
)


def customer_from_payload(payload: Any) -> Customer:
    row = require_mapping(payload, what="customer")
    return Customer(
        customer_id=require_int(row, "customers_id", "customer_id"),
        # Some rows keep the create spelling; read either.
        first_name=text(optional(row, "first_name", "customers_first_name")),
        last_name=text(optional(row, "last_name", "customers_last_name")),
        email=text(optional(row, "email", "customers_email")),
        company=text(optional(row, "company", "customers_company")),
        phone=text(optional(row, "phone", "customers_phone_number")),
        country=text(optional(row, "country", "customers_country")),
        vat=text(optional(row, "vat", "customers_tax_number")),
        date_of_birth=parse_date(
            optional(row, "date_of_birth", "customers_birth_date"), field="date_of_birth"
        ),
        ref_ext=text(optional(row, "customers_ref_ext")),
        code=text(optional(row, "customers_code")),
    )


def customer_create_payload(customer: NewCustomer) -> dict[str, str]:
    """Form fields for ``POST /customers/``; only the fields that are set are sent."""
    if not any((customer.first_name, customer.last_name, customer.company, customer.email)):
        raise HiboutikPayloadError(
            "a customer needs at least a last name, a first name, a company or an email"
        )
    if customer.country and (len(customer.country) != 2 or not customer.country.isalpha()):
        raise HiboutikPayloadError(
            f"customer country must be an ISO alpha-2 code, got {customer.country!r}"
        )
    fields = {
        "customers_first_name": customer.first_name,
        "customers_last_name": customer.last_name,
        "customers_email": customer.email,
        "customers_company": customer.company,
        "customers_phone_number": customer.phone,
        "customers_country": customer.country.upper(),
        "customers_tax_number": customer.vat,
        "customers_birth_date": customer.date_of_birth.isoformat()
        if customer.date_of_birth
        else "",
        "customers_ref_ext": customer.ref_ext,
    }
    return {key: value for key, value in fields.items() if value}


@dataclass(frozen=True)
class ConnectCustomer:
    """What the customer export reads of a Connect customer."""

    customer_id: int
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company: str = ""
    phone: str = ""
    country: str = ""  # ISO alpha-2

    @property
    def identifiable(self) -> bool:
        """Hiboutik (and the cashier) can tell who it is: a name or an email."""
        return any((self.first_name, self.last_name, self.company, self.email))


# Connect's exported fields and the attribute a one-attribute update names them by.
EXPORTED_CUSTOMER_FIELDS = (
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("email", "email"),
    ("company", "company"),
    ("phone", "phone"),
    ("country", "country"),
)


def customer_state(customer: ConnectCustomer) -> dict[str, str]:
    """The exported fields as Hiboutik reads them back, as stored on the binding once sent."""
    return {
        attribute: getattr(customer, name) or "" for name, attribute in EXPORTED_CUSTOMER_FIELDS
    }


def customer_observed_state(customer: Customer) -> dict[str, str]:
    """The same fields of a customer found in Hiboutik (its country may be alpha-3)."""
    return {
        attribute: (getattr(customer, attribute) or "").strip()
        for _, attribute in EXPORTED_CUSTOMER_FIELDS
    }


def customer_changes(desired: dict[str, str], pushed: dict[str, str]) -> list[tuple[str, str]]:
    """(attribute, value) of every exported field Hiboutik does not hold as Connect does; an
    email is compared without case, as addresses are."""
    changes = []
    for _, attribute in EXPORTED_CUSTOMER_FIELDS:
        wanted, held = desired.get(attribute, ""), pushed.get(attribute, "")
        if attribute == "email":
            same = wanted.strip().lower() == (held or "").strip().lower()
        elif attribute == "country":
            same = wanted.upper() == (held or "").upper()
        else:
            same = wanted == (held or "")
        if not same:
            changes.append((attribute, wanted))
    return changes


def new_customer(customer: ConnectCustomer) -> NewCustomer:
    return NewCustomer(
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        company=customer.company,
        phone=customer.phone,
        country=customer.country,
    )
