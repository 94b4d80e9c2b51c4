"""How a Hiboutik product, or one size of it, is written as an external id.

Connect binds a product to a whole Hiboutik product (``"42"``) or, where Connect keeps one
product per variant, to one size of it (``"42:3"``, product 42 size 3). Pure: no Django.
"""

from __future__ import annotations

import re

REF = re.compile(r"^([1-9][0-9]*)(?::([1-9][0-9]*))?$")


def product_ref(product_id: int, size_id: int = 0) -> str:
    """The external id of product ``product_id`` (size ``size_id``, 0 for none)."""
    if isinstance(product_id, bool) or not isinstance(product_id, int) or product_id <= 0:
        raise ValueError(f"a Hiboutik product id is a positive int, got {product_id!r}")
    if isinstance(size_id, bool) or not isinstance(size_id, int) or size_id < 0:
        raise ValueError(f"a Hiboutik size id is an int >= 0, got {size_id!r}")
    return f"{product_id}:{size_id}" if size_id else str(product_id)


def parse_product_ref(ref: str) -> tuple[int, int]:
    """``"42:3"`` → ``(42, 3)``; ``"42"`` → ``(42, 0)``."""
    match = REF.match(ref or "")
    if match is None:
        raise ValueError(f"{ref!r} is not a Hiboutik product reference")
    return int(match.group(1)), int(match.group(2) or 0)
