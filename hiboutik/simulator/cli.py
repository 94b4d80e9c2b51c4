"""``python -m hiboutik.simulator``: serve the fake Hiboutik API until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from hiboutik.simulator.config import (
    DEFAULT_MAX_CONCURRENT,
    EMPTY_SEARCH_CHOICES,
    EXCHANGE_MODE_CHOICES,
    NEGATIVE_INVENTORY_CHOICES,
    NEUTRAL_429_MESSAGE,
    PAGE_PARAM_CHOICES,
    PAGE_PAST_END_CHOICES,
    SEARCH_MATCH_CHOICES,
    SEED_CHOICES,
    UNKNOWN_FIELDS_CHOICES,
)
from hiboutik.simulator.simulator import Simulator
from hiboutik.simulator.state import StateFileError

DESCRIPTION = """\
Serve a fake Hiboutik REST API on localhost: the API under /api (HTTP Basic auth, monthly
quota, 30 concurrent calls at most) and the test-bench control endpoints under /_sim (ring up
sales, exchanges and refunds that fire the sale webhooks; inject faults; read call statistics).
See docs/simulator.md."""

EPILOG = """\
examples:
  python -m hiboutik.simulator
  python -m hiboutik.simulator --port 8765 --state .local/hiboutik-sim.json
  python -m hiboutik.simulator --quota 50 --latency-ms 80 --empty-search 404
  curl -u demo@connect.test:DEMOKEY http://127.0.0.1:8765/api/products/"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hiboutik.simulator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    server = parser.add_argument_group("server")
    server.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    server.add_argument(
        "--port", type=int, default=8765, help="TCP port; 0 picks a free one (default: %(default)s)"
    )
    account = parser.add_argument_group("account and users")
    account.add_argument(
        "--account",
        default="demo",
        help="account label, the account name, as in moncompte.hiboutik.com (default: %(default)s)",
    )
    account.add_argument(
        "--user",
        default="demo@connect.test",
        help="login email of the API user with full rights (default: %(default)s)",
    )
    account.add_argument(
        "--api-key",
        default="DEMOKEY",
        help="that user's API key, 1-64 letters or digits (default: %(default)s)",
    )
    account.add_argument(
        "--readonly-user",
        default="readonly@connect.test",
        help="login email of a second user without rights: may read, gets 403 on writes "
        "and on /webhooks (default: %(default)s)",
    )
    account.add_argument(
        "--readonly-key", default="READONLYKEY", help="that user's API key (default: %(default)s)"
    )
    account.add_argument(
        "--no-readonly-user", action="store_true", help="do not create the read-only user"
    )
    account.add_argument(
        "--oauth-token",
        default=None,
        help="also accept 'Authorization: Bearer TOKEN' with this token "
        "(default: bearer tokens are refused)",
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--seed",
        choices=[*SEED_CHOICES],
        default="demo",
        help="starting data when there is no state file yet, and what /_sim/reset returns "
        "to: 'demo' (2 stores, products with sizes, customers) or 'empty' (a new account: "
        "taxes, one store, ESP/CB/CHE) (default: %(default)s)",
    )
    data.add_argument(
        "--state",
        type=Path,
        default=None,
        metavar="FILE",
        help="persist the whole account (data, call counters, webhook deliveries) to this "
        "JSON file, written atomically after every write and on stop; reloaded on start "
        "(default: memory only)",
    )
    data.add_argument(
        "--products",
        type=int,
        default=0,
        metavar="N",
        help="add N generated products when starting from the seed (not when a state file "
        "was loaded), for load tests (default: %(default)s)",
    )
    limits = parser.add_argument_group("limits and latency")
    limits.add_argument(
        "--quota",
        type=int,
        default=10_000,
        help="monthly API calls allowed; the call after the last one gets 429 "
        "(default: %(default)s)",
    )
    limits.add_argument(
        "--max-concurrent",
        type=int,
        default=DEFAULT_MAX_CONCURRENT,
        help="API calls served at the same time before 429 'too many concurrent "
        "requests' (default: %(default)s)",
    )
    limits.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="delay added to every API call, in milliseconds (default: %(default)s)",
    )
    limits.add_argument(
        "--webhook-timeout",
        type=float,
        default=10.0,
        help="seconds to wait for a webhook receiver's answer (default: %(default)s)",
    )
    unknowns = parser.add_argument_group(
        "undocumented Hiboutik behaviour (hiboutik-api.md section 13)"
    )
    unknowns.add_argument(
        "--empty-search",
        choices=EMPTY_SEARCH_CHOICES,
        default="200",
        help="a product search without hits answers 200 [] or 404 (default: %(default)s)",
    )
    unknowns.add_argument(
        "--page-past-end",
        choices=PAGE_PAST_END_CHOICES,
        default="200",
        help="asking for a page after the last one answers 200 [] or 404 (default: %(default)s)",
    )
    harder = parser.add_argument_group(
        "harder real behaviour (docs/simulator.md: the evidence for each default)"
    )
    harder.add_argument(
        "--page-param",
        choices=PAGE_PARAM_CHOICES,
        default="honoured",
        help="the stock lists (/stock_available/warehouse_id/N, /stock_available/all_wh) page "
        "with ?p= and paging headers, or ignore p and answer every row at once, without "
        "headers, whatever page is asked (default: %(default)s)",
    )
    harder.add_argument(
        "--search-match",
        choices=SEARCH_MATCH_CHOICES,
        default="substring",
        help="text searches (products by external reference, barcode, supplier reference or "
        "model; customers by email, VAT number, code or external reference) match "
        "case-insensitive substrings, as a real search was measured to, or only equal "
        "values (default: %(default)s)",
    )
    harder.add_argument(
        "--exchange-mode",
        choices=EXCHANGE_MODE_CHOICES,
        default="credit-note",
        help="what /_sim/exchanges does: the till's exchange measured on a real account (the "
        "whole line becomes a credit note, the replacement a new sale paid by it), or a return "
        "sale whose line points at the original one (default: %(default)s)",
    )
    harder.add_argument(
        "--negative-inventory",
        choices=NEGATIVE_INVENTORY_CHOICES,
        default="accepted",
        help="a negative quantity (or received) on a stock order line, the only way to lower "
        "stock through the API, is applied on validation, or refused with a 422 "
        "(default: %(default)s)",
    )
    harder.add_argument(
        "--unknown-fields",
        choices=UNKNOWN_FIELDS_CHOICES,
        default="ignored",
        help="body fields a route does not know (a misspelt product_supplier_price on a "
        "create, for instance) are silently dropped, or refused with a 422 naming them "
        "(default: %(default)s)",
    )
    harder.add_argument(
        "--quota-message",
        default=NEUTRAL_429_MESSAGE,
        metavar="TEXT",
        help="error_description of the 429 sent once the month's quota is spent; by default "
        "the same neutral words as the too-many-concurrent-calls 429, since no real 429 body "
        "is known (default: %(default)r)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        sim = Simulator(
            account=args.account,
            user=args.user,
            api_key=args.api_key,
            port=args.port,
            seed=args.seed,
            quota=args.quota,
            latency_ms=args.latency_ms,
            state_path=args.state,
            host=args.host,
            readonly_user=None if args.no_readonly_user else args.readonly_user,
            readonly_key=None if args.no_readonly_user else args.readonly_key,
            oauth_token=args.oauth_token,
            empty_search=args.empty_search,
            page_past_end=args.page_past_end,
            page_param=args.page_param,
            quota_message=args.quota_message,
            search_match=args.search_match,
            unknown_fields=args.unknown_fields,
            negative_inventory=args.negative_inventory,
            exchange_mode=args.exchange_mode,
            max_concurrent=args.max_concurrent,
            webhook_timeout=args.webhook_timeout,
        )
        if args.products < 0:
            raise ValueError("--products must be >= 0")
        if args.products and not sim.loaded_from_file:
            sim.add_products(args.products)
        sim.start()
    except (ValueError, StateFileError, OSError) as exc:
        print(f"hiboutik simulator: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(
        f"Hiboutik simulator for account '{args.account}' at {sim.base_url} "
        f"(user {args.user}, key {args.api_key}); control endpoints at {sim.root_url}/_sim. "
        "Ctrl-C stops.",
        flush=True,
    )
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
