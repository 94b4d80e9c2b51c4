from datetime import date
from decimal import Decimal

import pytest

from hiboutik.config import ConfigInvalid, HiboutikConfig, parse_sku_mapping

FULL = {
    "general": {
        "account": "Boutique_1",
        "user": "api@shop.fr",
        "api_url": "",
        "max_concurrency": "6",
        "monthly_quota": 20000,
    },
    "order_import": {
        "connect_store_id": 3,
        "hiboutik_store_id": "1",
        "force_stock": "on",
        "import_from": "2026-11-01",
        "shipping_method_id": 2,
        "payment_methods": {"CB": 1, "ESP": "2", "CHE": ""},
        "sku_mapping": "TSHIRT-BIO:TS-001\n\n 2430001000019 : SKU:WITH:COLONS \n",
        "reconciliation_minutes": 30,
        "time_zone": "Europe/Paris",
    },
    "guest": {"email": "guest@shop.fr", "customer_group_id": 1, "country": "fr", "region": "IDF"},
    "products": {
        "default_tax_rate": "5,5",
        "prices_include_tax": False,
        "disable_stock_management": "0",
        "exclude_disabled_products": True,
    },
    "stock": {"connect_warehouse_ids": [1, "2", 1], "hiboutik_warehouse_id": 4},
    "exchanges": {"enabled": True, "back_to_stock": False, "refund": True},
}


def test_every_setting_is_typed_and_grouped_as_the_configuration_tab():
    config = HiboutikConfig.parse(FULL)
    assert config.general.account == "boutique_1"
    assert config.general.base_url == "https://boutique_1.hiboutik.com/api"
    assert config.general.ledger_key == "boutique_1"
    assert (config.general.max_concurrency, config.general.monthly_quota) == (6, 20000)
    order = config.order_import
    assert (order.connect_store_id, order.hiboutik_store_id, order.force_stock) == (3, 1, True)
    assert order.import_from == date(2026, 11, 1)
    assert order.payment_methods == {"CB": 1, "ESP": 2}  # an empty choice is "not mapped"
    assert [(m.hiboutik_reference, m.connect_sku, m.line) for m in order.sku_mapping] == [
        ("TSHIRT-BIO", "TS-001", 1),
        ("2430001000019", "SKU:WITH:COLONS", 3),
    ]
    assert order.connect_sku_for("TSHIRT-BIO") == "TS-001"
    assert order.connect_sku_for("nope") is None
    assert config.guest.country == "FR"
    assert config.products.default_tax_rate == Decimal("5.5")
    assert config.products.prices_include_tax is False
    assert config.stock.connect_warehouse_ids == (1, 2)
    assert config.exchanges.back_to_stock is False


def test_stored_json_reads_back_unchanged():
    config = HiboutikConfig.parse(FULL)
    assert HiboutikConfig.parse(config.to_json()) == config


def test_an_empty_configuration_needs_only_the_credentials():
    with pytest.raises(ConfigInvalid) as caught:
        HiboutikConfig.parse({})
    assert {(i.path, i.code) for i in caught.value.issues} == {
        ("general.account", "required"),
        ("general.user", "required"),
    }
    config = HiboutikConfig.parse({"general": {"account": "demo", "user": "a@b.fr"}})
    assert config.general.monthly_quota == 10_000
    assert config.general.max_concurrency == 4
    assert config.order_import.reconciliation_minutes == 60
    assert config.exchanges.enabled is False


def test_a_simulator_url_gets_its_own_ledger_key():
    config = HiboutikConfig.parse(
        {"general": {"account": "demo", "user": "a@b.fr", "api_url": "http://127.0.0.1:9/api/"}}
    )
    assert config.general.base_url == "http://127.0.0.1:9/api"
    assert config.general.ledger_key == "demo@http://127.0.0.1:9/api"


def test_every_bad_setting_is_reported_at_once_with_a_code():
    bad = {
        "general": {
            "account": "My Shop",
            "user": "nobody",
            "api_url": "ftp://x",
            "max_concurrency": 99,
        },
        "order_import": {
            "connect_store_id": "abc",
            "import_from": "01/11/2026",
            "payment_methods": {"C B": 1},
            "time_zone": "Mars/Olympus",
            "force_stock": "perhaps",
        },
        "guest": {"country": "FRA"},
        "products": {"default_tax_rate": "120"},
        "stock": {"connect_warehouse_ids": [0]},
    }
    with pytest.raises(ConfigInvalid) as caught:
        HiboutikConfig.parse(bad)
    codes = {issue.path: issue.code for issue in caught.value.issues}
    assert codes == {
        "general.account": "invalid_account",
        "general.user": "invalid_email",
        "general.api_url": "invalid_url",
        "general.max_concurrency": "out_of_range",
        "order_import.connect_store_id": "invalid_integer",
        "order_import.import_from": "invalid_date",
        "order_import.payment_methods": "invalid_payment_type",
        "order_import.time_zone": "invalid_time_zone",
        "order_import.force_stock": "invalid_boolean",
        "guest.country": "invalid_country",
        "products.default_tax_rate": "out_of_range",
        "stock.connect_warehouse_ids": "out_of_range",
    }
    texts = {issue.path: issue.text() for issue in caught.value.issues}
    assert texts["general.max_concurrency"] == "Enter a number between 1 and 30."


def test_sku_mapping_lines_are_named_by_number_with_why_they_are_wrong():
    text = "GOOD:SKU-1\nno colon here\n:SKU-2\nREF:\nGOOD:SKU-3\n" + "X" * 65 + ":Y\n"
    mappings, issues = parse_sku_mapping(text)
    assert [m.connect_sku for m in mappings] == ["SKU-1"]
    assert [(i.code, i.params.get("line")) for i in issues] == [
        ("sku_mapping_format", 2),
        ("sku_mapping_empty", 3),
        ("sku_mapping_empty", 4),
        ("sku_mapping_duplicate", 5),
        ("sku_mapping_too_long", 6),
    ]
    assert issues[0].text() == (
        "Line 2 (no colon here): expected hiboutikreference:connectsku, the Hiboutik reference "
        "and the Connect SKU separated by a colon."
    )
    assert issues[3].text() == "Line 5: the Hiboutik reference GOOD is already mapped on line 1."
