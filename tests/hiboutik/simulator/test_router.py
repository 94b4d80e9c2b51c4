from __future__ import annotations

from hiboutik.simulator.router import Router


def handler(ctx, **params):
    return params


def test_trailing_and_duplicate_slashes_are_ignored_and_params_typed() -> None:
    router = Router()
    router.add("GET", "/products/{product_id:int}", handler)
    router.add("GET", "/products/search/barcode/{barcode}", handler)
    route, params = router.match("GET", "/products/42/")
    assert params == {"product_id": 42} and route.name == "GET /products/{product_id}"
    assert router.match("GET", "//products//42")[1] == {"product_id": 42}
    assert router.match("GET", "/products/search/barcode/A%20B/")[1] == {"barcode": "A B"}
    assert router.match("GET", "/products/abc") is None
    assert router.match("POST", "/products/42") is None
