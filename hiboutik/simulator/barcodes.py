"""Internal EAN-13 barcodes as Hiboutik generates them when none is given: ``243``, the size id
on 3 digits, the product id on 6 digits and the check digit (e.g. product 42 size 2 →
``2430020000427``, the shape of every internal barcode in hiboutik-api.md)."""

from __future__ import annotations


def ean13_check_digit(first12: str) -> str:
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


def internal_barcode(product_id: int, size_id: int = 0) -> str:
    if not 0 < product_id < 1_000_000 or not 0 <= size_id < 1_000:
        raise ValueError(f"no internal barcode for product {product_id} size {size_id}")
    first12 = f"243{size_id:03d}{product_id:06d}"
    return first12 + ean13_check_digit(first12)
