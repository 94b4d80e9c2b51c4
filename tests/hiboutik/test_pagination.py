import pytest

from hiboutik.pagination import (
    PageHeaders,
    next_page,
    page_of,
    parse_content_range_total,
    parse_link,
    planned_pages,
    read_page_headers,
)

LINK = (
    '<https://acc.hiboutik.com/api/customers/?p=1>; rel="start", '
    '<https://acc.hiboutik.com/api/customers/?p=9>; rel="prev", '
    '<https://acc.hiboutik.com/api/customers/?p=10>; rel="current", '
    '<https://acc.hiboutik.com/api/customers/?p=11>; rel="next", '
    '<https://acc.hiboutik.com/api/customers/?p=28>; rel="last"'
)


@pytest.mark.parametrize(
    ("value", "total"),
    [
        ("0-249/1327", 1327),
        ("items 0-249/1327", 1327),
        ("Items 250-499/1327", 1327),
        ("1-250/1327", 1327),
        ("items */0", 0),
        ("0-249/*", None),
        ("garbage", None),
        ("", None),
        (None, None),
    ],
)
def test_content_range_total(value, total):
    assert parse_content_range_total(value) == total


def test_link_header_names_every_rel():
    links = parse_link(LINK)
    assert set(links) == {"start", "prev", "current", "next", "last"}
    assert page_of(links["next"]) == 11
    assert page_of(links["last"]) == 28
    assert page_of("https://x/api/products/") is None
    headers = read_page_headers({"Link": LINK, "Content-Range": "items 2250-2499/6890"})
    assert headers == PageHeaders(total=6890, has_link=True, next_page=11, last_page=28)


def test_empty_page_ends_the_list_whatever_the_headers_say():
    assert next_page(3, 0, 500, PageHeaders(total=9999, has_link=True, next_page=4)) is None


def test_link_wins_over_page_length():
    # A short page with a next link: follow it (the server's page size is not ours).
    assert next_page(1, 2, 2, PageHeaders(has_link=True, next_page=2)) == 2
    # A full page without a next link: the last page.
    assert next_page(4, 250, 1000, PageHeaders(has_link=True, last_page=4)) is None


def test_a_next_link_that_does_not_move_forward_is_ignored():
    assert next_page(3, 250, 750, PageHeaders(has_link=True, next_page=3)) == 4
    assert next_page(3, 100, 600, PageHeaders(has_link=True, next_page=2)) is None


def test_content_range_total_ends_the_list_once_every_row_was_seen():
    assert next_page(1, 250, 250, PageHeaders(total=251)) == 2
    assert next_page(2, 1, 251, PageHeaders(total=251)) is None
    assert next_page(1, 250, 250, PageHeaders(total=250)) is None


def test_without_headers_a_short_page_is_the_last():
    assert next_page(1, 250, 250, PageHeaders()) == 2
    assert next_page(2, 249, 499, PageHeaders()) is None
    assert next_page(1, 3, 3, PageHeaders(), page_size=3) == 2


def test_a_page_repeating_the_page_before_ends_the_list():
    assert next_page(2, 250, 500, PageHeaders(), repeated=True) is None
    assert next_page(2, 250, 500, PageHeaders(has_link=True, next_page=3), repeated=True) is None


def test_a_page_longer_than_the_page_size_is_a_whole_list_sent_at_once():
    # A route that ignores p sends every row; asking for page 2 would only repeat them.
    assert next_page(1, 3000, 3000, PageHeaders()) is None


def test_planned_pages_from_the_first_page_total():
    assert planned_pages(250, PageHeaders(total=25_000)) == 100
    assert planned_pages(250, PageHeaders(total=251)) == 2
    assert planned_pages(250, PageHeaders(total=250)) == 1
    assert planned_pages(100, PageHeaders(total=1000)) == 10  # the server's page size wins
    assert planned_pages(250, PageHeaders()) is None
    assert planned_pages(0, PageHeaders(total=0)) is None
