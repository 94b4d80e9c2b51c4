from urllib.parse import parse_qsl, urlencode

import pytest

from hiboutik.php_form import PhpFormError, parse_php_form, parse_php_form_body

# The synthetic sale of hiboutik-api.md §11.3, as Hiboutik form-encodes it.
SALE_BODY = (
    "order_id=206&sale_id=206&unique_order_id=2019-01-1-41&shop_id=1&store_id=1&customer_id=0"
    "&date_time=2019-01-22+16%3A54%3A51&total=62.00&payment=CB&sale_ext_ref="
    "&line_items%5B0%5D%5Bline_item_id%5D=804&line_items%5B0%5D%5Bproduct_id%5D=42"
    "&line_items%5B0%5D%5Bproduct_size%5D=3&line_items%5B0%5D%5Bquantity%5D=1"
    "&line_items%5B0%5D%5Bproduct_price%5D=62.0000&line_items%5B0%5D%5Btags%5D="
    "&line_items%5B0%5D%5Bstock_available%5D%5B0%5D%5Bwarehouse_id%5D=1"
    "&line_items%5B0%5D%5Bstock_available%5D%5B0%5D%5Bstock_available%5D=14"
    "&taxes%5B0%5D%5Btax_value%5D=0.20000&taxes%5B0%5D%5Btotal_gross%5D=62.00&sale_tags="
)


def test_sale_body_nests_lists_and_keeps_strings():
    sale = parse_php_form_body(SALE_BODY)
    assert sale["sale_id"] == "206"
    assert sale["date_time"] == "2019-01-22 16:54:51"
    assert sale["sale_ext_ref"] == ""
    line = sale["line_items"][0]
    assert line["product_id"] == "42"
    assert line["product_price"] == "62.0000"
    assert line["stock_available"] == [{"warehouse_id": "1", "stock_available": "14"}]
    # Hiboutik sends an empty list as an empty string; the parser does not guess.
    assert line["tags"] == ""
    assert sale["sale_tags"] == ""
    assert sale["taxes"] == [{"tax_value": "0.20000", "total_gross": "62.00"}]


def test_bytes_body_and_mapping_input_give_the_same_tree():
    from_bytes = parse_php_form_body(SALE_BODY.encode())
    # What Django's request.POST.lists() gives.
    mapping = {key: [value] for key, value in parse_qsl(SALE_BODY, keep_blank_values=True)}
    assert parse_php_form(mapping) == from_bytes


def test_indexes_out_of_order_become_an_ordered_list():
    form = parse_php_form([("l[2][q]", "c"), ("l[0][q]", "a"), ("l[1][q]", "b")])
    assert form == {"l": [{"q": "a"}, {"q": "b"}, {"q": "c"}]}


def test_sparse_or_non_numeric_keys_stay_a_dict():
    assert parse_php_form([("l[0]", "a"), ("l[2]", "c")]) == {"l": {"0": "a", "2": "c"}}
    assert parse_php_form([("a[city]", "Lyon")]) == {"a": {"city": "Lyon"}}
    # "01" is a string key in PHP, not the index 1.
    assert parse_php_form([("l[0]", "a"), ("l[01]", "b")]) == {"l": {"0": "a", "01": "b"}}


def test_append_brackets_number_after_the_highest_index():
    form = parse_php_form([("t[]", "x"), ("t[]", "y"), ("t[5]", "z"), ("t[]", "w")])
    assert form == {"t": {"0": "x", "1": "y", "5": "z", "6": "w"}}
    assert parse_php_form([("t[]", "x"), ("t[]", "y")]) == {"t": ["x", "y"]}


def test_top_level_numeric_keys_stay_a_dict():
    assert parse_php_form([("0", "a"), ("1", "b")]) == {"0": "a", "1": "b"}


def test_a_200_line_sale_arrives_whole():
    fields = {}
    for i in range(200):
        fields[f"line_items[{i}][line_item_id]"] = str(1000 + i)
        fields[f"line_items[{i}][quantity]"] = "1"
    form = parse_php_form_body(urlencode(fields))
    assert [line["line_item_id"] for line in form["line_items"]] == [
        str(1000 + i) for i in range(200)
    ]


def test_deep_nesting_up_to_php_limit():
    key = "a" + "[x]" * 64
    node = parse_php_form([(key, "v")])["a"]
    for _ in range(63):
        node = node["x"]
    assert node == {"x": "v"}
    with pytest.raises(PhpFormError, match="deeper than 64"):
        parse_php_form([("a" + "[x]" * 65, "v")])


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("a", "1"), ("a", "2")], "repeats a value"),
        ([("a", "1"), ("a[b]", "2")], "already a value"),
        ([("a[b]", "2"), ("a", "1")], "repeats a container"),
        ([("a[b", "1")], "unbalanced"),
        ([("a]", "1")], "unbalanced"),
        ([("a[b]c", "1")], "text after"),
        ([("a[b[c]]", "1")], "unbalanced"),
        ([("[a]", "1")], "no name"),
    ],
)
def test_ambiguous_or_malformed_keys_are_refused(pairs, message):
    with pytest.raises(PhpFormError, match=message):
        parse_php_form(pairs)


def test_non_string_values_and_undecodable_bodies_are_refused():
    with pytest.raises(PhpFormError, match="strings"):
        parse_php_form({"a": 1})
    with pytest.raises(PhpFormError, match="utf-8"):
        parse_php_form_body(b"a=\xff\xfe", encoding="utf-8")
