from __future__ import annotations

import pytest

from hiboutik.simulator.barcodes import ean13_check_digit, internal_barcode, is_valid_ean13


def test_internal_barcodes_match_the_documented_examples() -> None:
    # Variant barcodes of hiboutik-api.md §4.2 and §11.3; the product-level example there
    # (2430000000424) has a wrong check digit, so only the layout is compared.
    assert internal_barcode(42, 2) == "2430020000427"
    assert internal_barcode(42, 3) == "2430030000424"
    assert internal_barcode(42)[:12] == "243000000042"
    assert is_valid_ean13(internal_barcode(42))


def test_check_digit_and_validation() -> None:
    assert ean13_check_digit("376000000001") == "7"
    assert is_valid_ean13("3760000000017")
    assert not is_valid_ean13("3760000000018")
    assert not is_valid_ean13("37600000000")
    with pytest.raises(ValueError):
        ean13_check_digit("12ab")
    with pytest.raises(ValueError):
        internal_barcode(1_000_000)
