"""Customers (hiboutik-api.md §8): created with ``customers_*`` names, read and updated with
the unprefixed names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hiboutik.countries import is_country_code
from hiboutik.simulator import fields as f
from hiboutik.simulator.errors import invalid
from hiboutik.simulator.state import State


def parse_country(value: Any) -> str:
    code = f.parse_text(value).upper()
    if code and not is_country_code(code):
        raise f.FieldError("must be an ISO 3166 alpha-2 or alpha-3 country code")
    return code


def _gender(value: Any) -> int:
    number = f.parse_int(value)
    if number not in (0, 1, 2):
        raise f.FieldError("must be 0, 1 or 2")
    return number


# create name → (read name, parser)
CREATE_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "customers_first_name": ("first_name", f.parse_text),
    "customers_last_name": ("last_name", f.parse_text),
    "customers_email": ("email", f.parse_email),
    "customers_company": ("company", f.parse_text),
    "customers_country": ("country", parse_country),
    "customers_phone_number": ("phone", f.parse_text),
    "customers_tax_number": ("vat", f.parse_text),
    "customers_birth_date": ("date_of_birth", f.parse_date),
    "customers_ref_ext": ("customers_ref_ext", f.parse_text),
    "customers_misc": ("customers_misc", f.parse_text),
}

# hiboutik-api.md §8: update attributes use the read names; "intial" is Hiboutik's spelling.
UPDATE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "gender": _gender,
    "last_name": f.parse_text,
    "first_name": f.parse_text,
    "email": f.parse_email,
    "company": f.parse_text,
    "phone": f.parse_text,
    "vat": f.parse_text,
    "country": parse_country,
    "date_of_birth": f.parse_date,
    "customers_code": f.parse_text,
    "comments": f.parse_text,
    "validity": f.parse_date,
    "customers_ref_ext": f.parse_text,
    "customers_misc": f.parse_text,
    "intial_loyalty_points": f.parse_id_or_zero,
}

IDENTITY_FIELDS = ("last_name", "first_name", "company", "email")
IDENTITY_MESSAGE = "a customer needs at least a last name, a first name, a company or an email"


def create_customer(state: State, data: Mapping[str, Any], now: str) -> dict[str, Any]:
    reader = f.FieldReader(data)
    # GG sends the id along on some calls; anything else unknown is refused.
    reader.reject_unknown(set(CREATE_FIELDS))
    row: dict[str, Any] = {
        "gender": 0,
        "customers_code": "",
        "comments": "",
        "validity": "0000-00-00",
        "intial_loyalty_points": 0,
        "loyalty_points": 0,
        "store_credit": "0.00",
        "addresses": [],
        "last_order_date": "0000-00-00",
    }
    for create_name, (read_name, parser) in CREATE_FIELDS.items():
        default = "0000-00-00" if read_name == "date_of_birth" else ""
        row[read_name] = reader.get(create_name, parser, default=default)
    if not reader.errors and not any(row[name] for name in IDENTITY_FIELDS):
        reader.fail("customers_last_name", IDENTITY_MESSAGE)
    reader.check()
    row["created_at"] = now
    return state.insert("customers", row, "customers_id")


def update_customer(customer: dict[str, Any], attribute: Any, new_value: Any) -> None:
    if not isinstance(attribute, str) or attribute not in UPDATE_FIELDS:
        raise invalid({"customers_attribute": f"unknown customer attribute {attribute!r}"})
    if new_value is None:
        raise invalid({"new_value": "is required"})
    try:
        value = UPDATE_FIELDS[attribute](new_value)
    except f.FieldError as exc:
        raise invalid({"new_value": f"{attribute} {exc}"}) from None
    if attribute in IDENTITY_FIELDS and not value:
        others = [customer[name] for name in IDENTITY_FIELDS if name != attribute]
        if not any(others):
            raise invalid({"new_value": IDENTITY_MESSAGE})
    customer[attribute] = value
    if attribute == "intial_loyalty_points":
        customer["loyalty_points"] = value


def customer_view(customer: dict[str, Any]) -> dict[str, Any]:
    view = {"customers_id": customer["customers_id"]}
    view.update({k: v for k, v in customer.items() if k != "customers_id"})
    return view


# Search filters (hiboutik-api.md §8): exact or substring text matches, numeric comparisons.
_EXACT = ("email", "vat", "country", "customers_code", "customers_ref_ext")
_CONTAINS = ("last_name", "first_name", "phone")
_COMPARED = ("loyalty_points", "last_order_date")
SEARCH_FILTERS = frozenset(_EXACT + _CONTAINS + _COMPARED)
_OPERATORS = (">=", "<=", ">", "<")


def _compare(actual: Any, expression: str, numeric: bool) -> bool:
    operator = next((op for op in _OPERATORS if expression.startswith(op)), "=")
    operand_text = expression[len(operator) :] if operator != "=" else expression
    operand: Any = f.parse_int(operand_text) if numeric else f.parse_date(operand_text)
    return {
        ">=": actual >= operand,
        "<=": actual <= operand,
        ">": actual > operand,
        "<": actual < operand,
        "=": actual == operand,
    }[operator]


def search_customers(
    state: State, query: Mapping[str, str], *, substring: bool = False
) -> list[dict[str, Any]]:
    """``substring``: the exact-match text filters match case-insensitive substrings
    (``--search-match substring``)."""
    filters = {k: v for k, v in query.items() if k != "p"}
    errors = {name: "unknown search filter" for name in filters if name not in SEARCH_FILTERS}
    if not filters:
        errors["email"] = "give at least one search filter"
    for name in _EXACT + _CONTAINS:
        if name in filters and name != "country" and len(filters[name].strip()) < 3:
            errors[name] = "text filters need at least 3 characters"
    for name in _COMPARED:
        if name in filters:
            try:
                _compare(
                    0 if name == "loyalty_points" else "", filters[name], name == "loyalty_points"
                )
            except f.FieldError as exc:
                errors[name] = str(exc)
    if errors:
        raise invalid(errors)
    matches = []
    for customer in state.rows("customers"):
        if all(_matches(customer, name, value, substring) for name, value in filters.items()):
            matches.append(customer)
    return sorted(matches, key=lambda c: -c["customers_id"])


def _matches(customer: dict[str, Any], name: str, value: str, substring: bool) -> bool:
    wanted = value.strip().lower()
    if name in _EXACT and not (substring and name != "country"):
        return str(customer[name]).lower() == wanted
    if name in _EXACT:
        return wanted in str(customer[name]).lower()
    if name in _CONTAINS:
        return wanted in str(customer[name]).lower()
    return _compare(customer[name], value.strip(), name == "loyalty_points")
