"""The stock export's coalescing and alert settings: defaults, bounds, round trip."""

from hiboutik.config import (
    DEFAULT_DRIFT_ALERT_PRODUCTS,
    DEFAULT_LOW_STOCK_THRESHOLD,
    ConfigInvalid,
    HiboutikConfig,
)

GENERAL = {"account": "demo", "user": "a@b.fr"}


def test_defaults_push_every_run():
    stock = HiboutikConfig.parse({"general": GENERAL}).stock
    assert stock.push_every_minutes == 0
    assert stock.low_stock_threshold == DEFAULT_LOW_STOCK_THRESHOLD
    assert stock.drift_alert_products == DEFAULT_DRIFT_ALERT_PRODUCTS


def test_values_round_trip_and_bad_ones_are_named():
    config = HiboutikConfig.parse(
        {
            "general": GENERAL,
            "stock": {
                "push_every_minutes": "30",
                "low_stock_threshold": 0,
                "drift_alert_products": 9,
            },
        }
    )
    assert (config.stock.push_every_minutes, config.stock.low_stock_threshold) == (30, 0)
    assert HiboutikConfig.parse(config.to_json()) == config
    try:
        HiboutikConfig.parse({"general": GENERAL, "stock": {"push_every_minutes": 5000}})
    except ConfigInvalid as invalid:
        assert [(i.path, i.code) for i in invalid.issues] == [
            ("stock.push_every_minutes", "out_of_range")
        ]
    else:
        raise AssertionError("5000 minutes accepted")
