import pytest

from hiboutik.product_refs import parse_product_ref, product_ref


def test_a_whole_product_and_a_size_round_trip():
    assert product_ref(42) == "42" and parse_product_ref("42") == (42, 0)
    assert product_ref(42, 3) == "42:3" and parse_product_ref("42:3") == (42, 3)


@pytest.mark.parametrize("bad", ["", "0", "42:0", "-1", "4 2", "42:3:1", "x"])
def test_anything_else_is_refused(bad):
    with pytest.raises(ValueError):
        parse_product_ref(bad)


@pytest.mark.parametrize(("product_id", "size_id"), [(0, 0), (True, 0), ("4", 0), (4, -1)])
def test_bad_ids_are_refused(product_id, size_id):
    with pytest.raises(ValueError):
        product_ref(product_id, size_id)
