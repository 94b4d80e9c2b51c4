"""The Hiboutik REST client: HTTP only, no Django.

One :class:`HiboutikClient` talks to one Hiboutik account, in production at
``https://{account}.hiboutik.com/api`` (:meth:`HiboutikClient.for_account`) and in tests and the
demo at the simulator's base URL. What it guarantees the flows:

- **Typed results.** Every method returns :mod:`hiboutik.types` values built by the pure
  :mod:`hiboutik.mappers`; lists come back as generators that walk ``?p=`` pages
  (:mod:`hiboutik.pagination`); one-element arrays are unwrapped.
- **Typed errors.** Failures raise the :mod:`hiboutik.errors` family; an empty search
  (``200 []`` or 404) is an empty result, not an error.
- **Quota accounting.** Before each HTTP attempt (retries included) it asks the
  :class:`~hiboutik.ledger.CallLedger` whether the month's quota is spent — raising
  :class:`HiboutikQuotaExhausted` without any HTTP if so, unless the call is ``essential`` —
  then records the attempt. A 429 "monthly quota reached" marks the ledger exhausted.
- **Explicit retries.** Each call names its :class:`~hiboutik.retry.Retry` policy: reads and
  PUT/DELETE are retried on throttling with backoff and jitter, honouring ``Retry-After``;
  creates are never re-sent (the caller checks by reference first).
- **A concurrency cap per account**, shared by all clients of the same ledger key in the
  process (:mod:`hiboutik.concurrency`). A slot is held for one HTTP attempt only, never
  during a backoff sleep.
- **No secrets in logs.** Only the method, the path below the base URL, the status and the
  timing are logged; the API key, the token and the ``Authorization`` header never are.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import quote

import requests

from hiboutik.concurrency import DEFAULT_CONCURRENCY, HIBOUTIK_MAX_CONCURRENCY, gate_for
from hiboutik.errors import (
    HiboutikError,
    HiboutikNotFound,
    HiboutikPayloadError,
    HiboutikQuotaExhausted,
    HiboutikServerError,
    HiboutikThrottled,
)
from hiboutik.ledger import CallLedger, InMemoryCallLedger
from hiboutik.mappers.customers import customer_create_payload, customer_from_payload
from hiboutik.mappers.products import (
    product_create_payload,
    product_from_payload,
    product_image_from_payload,
    product_match_from_payload,
    stock_level_from_payload,
)
from hiboutik.mappers.reference import (
    payment_type_from_payload,
    store_from_payload,
    tax_from_payload,
    warehouse_from_payload,
)
from hiboutik.mappers.sales import sale_from_payload, sale_summary_from_payload
from hiboutik.mappers.values import form_value, parse_int, unwrap_one
from hiboutik.mappers.webhooks import webhook_from_payload
from hiboutik.pagination import next_page, read_page_headers
from hiboutik.responses import decode_json, error_from_response
from hiboutik.retry import Retry, backoff_delay, parse_retry_after
from hiboutik.types import (
    PAGE_SIZE,
    PRODUCT_REF_EXT_MAX_LENGTH,
    Customer,
    NewCustomer,
    NewProduct,
    PaymentType,
    Product,
    ProductImage,
    ProductMatch,
    Sale,
    SaleSummary,
    StockLevel,
    Store,
    Tax,
    Warehouse,
    Webhook,
)

log = logging.getLogger(__name__)

ACCOUNT_LABEL = re.compile(r"^[a-z0-9_]+$")
USER_AGENT = "Connect-Hiboutik/1.0"

# requests raises these when the connection drops or the server is too slow; all are
# transient from Hiboutik's point of view.
_TRANSIENT_EXCEPTIONS = (
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


class HiboutikClient:
    """A client for one Hiboutik account.

    ``base_url`` is the API root (``https://demo.hiboutik.com/api`` or the simulator's).
    Authenticate with ``user`` + ``api_key`` (HTTP Basic) or with an OAuth ``oauth_token``
    (Bearer). ``ledger`` counts calls under ``ledger_key`` (default: the base URL), which also
    names the concurrency gate shared with other clients of the account. ``timeout`` is
    ``(connect, read)`` in seconds and applies to every call. Retries: at most ``max_retries``
    per call on throttling, ``max_server_error_retries`` on a 500 to a GET; delays follow
    ``backoff_base``/``backoff_cap`` with full jitter, and a ``Retry-After`` up to
    ``max_retry_after`` seconds is obeyed (a longer one is raised at once, for the task queue
    to reschedule). ``sleep`` and ``rng`` are injectable for tests.
    """

    def __init__(
        self,
        *,
        base_url: str,
        user: str | None = None,
        api_key: str | None = None,
        oauth_token: str | None = None,
        ledger: CallLedger | None = None,
        ledger_key: str | None = None,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_retries: int = 5,
        max_server_error_retries: int = 1,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_retry_after: float = 120.0,
        page_size: int = PAGE_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if (api_key is None) == (oauth_token is None):
            raise ValueError("give exactly one of api_key (with user) or oauth_token")
        if api_key is not None and not user:
            raise ValueError("api_key authentication needs the user's login email as user")
        if api_key == "" or oauth_token == "":
            raise ValueError("the API key or OAuth token is empty")
        if len(timeout) != 2 or min(timeout) <= 0:
            raise ValueError(f"timeout must be (connect, read) seconds > 0, got {timeout!r}")
        if max_retries < 0 or max_server_error_retries < 0:
            raise ValueError("retry counts must be zero or more")
        if backoff_base < 0 or backoff_cap < 0 or max_retry_after < 0:
            raise ValueError("backoff delays must be zero or more")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")

        self.base_url = base_url.rstrip("/")
        self.ledger: CallLedger = ledger if ledger is not None else InMemoryCallLedger()
        self.ledger_key = ledger_key or self.base_url
        self.max_concurrency = min(max_concurrency, HIBOUTIK_MAX_CONCURRENCY)
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.max_retries = max_retries
        self.max_server_error_retries = max_server_error_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.page_size = page_size
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._gate = gate_for(self.ledger_key, self.max_concurrency)

        self._session = session or requests.Session()
        self._session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        if oauth_token is not None:
            self._session.auth = None
            self._session.headers["Authorization"] = f"Bearer {oauth_token}"
        else:
            self._session.auth = (user or "", api_key or "")
        self.user = user

    @classmethod
    def for_account(cls, account: str, **kwargs: Any) -> HiboutikClient:
        """A client for ``https://{account}.hiboutik.com/api``; the ledger key defaults to the
        account label, so every client of the account shares its count and its gate."""
        label = account.strip().lower()
        if not ACCOUNT_LABEL.match(label):
            raise ValueError(
                f"Hiboutik account {account!r} must be the XXXX of XXXX.hiboutik.com "
                "(lowercase letters, digits, underscore)"
            )
        kwargs.setdefault("ledger_key", label)
        return cls(base_url=f"https://{label}.hiboutik.com/api", **kwargs)

    def __repr__(self) -> str:
        return f"<HiboutikClient {self.base_url} user={self.user!r}>"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HiboutikClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- products --------------------------------------------------------------------------

    def iter_products(self, *, essential: bool = False) -> Iterator[Product]:
        """Every active product, page by page."""
        for row in self._paginate("/products/", essential=essential):
            yield product_from_payload(row)

    def get_product(self, product_id: int, *, essential: bool = False) -> Product:
        payload = self._get(f"/products/{_id(product_id)}", essential=essential)
        return product_from_payload(unwrap_one(payload, what="product"))

    def create_product(self, product: NewProduct, *, essential: bool = False) -> int:
        """Create a product; returns its ``product_id``. Never retried: on a throttling or
        network error, search by ``ref_ext`` or barcode before calling again."""
        payload = self._send(
            "POST", "/products/", data=product_create_payload(product), essential=essential
        )
        return _created_id(payload, "product_id")

    def update_product(
        self, product_id: int, attribute: str, value: Any, *, essential: bool = False
    ) -> None:
        """Set one attribute (``product_price``, ``product_vat``, ``product_barcode``...):
        Hiboutik updates one attribute per call."""
        self._send(
            "PUT",
            f"/product/{_id(product_id)}",
            data={"product_attribute": _attribute(attribute), "new_value": form_value(value)},
            retry=Retry.IDEMPOTENT,
            essential=essential,
        )

    def search_products_by_barcode(
        self, barcode: str, *, essential: bool = False
    ) -> list[ProductMatch]:
        """Products, or product sizes, carrying ``barcode``; ``[]`` when none."""
        path = f"/products/search/barcode/{_segment(barcode, 'barcode')}/"
        return [
            product_match_from_payload(row)
            for row in self._paginate(path, empty_on_404=True, essential=essential)
        ]

    def search_products_by_ref_ext(self, ref_ext: str, *, essential: bool = False) -> list[Product]:
        """Products whose ``products_ref_ext`` is ``ref_ext``; ``[]`` when none. Hiboutik keeps
        only 20 characters of that field, so a longer reference is refused here."""
        if not ref_ext.strip():
            raise ValueError("ref_ext is empty")
        if len(ref_ext) > PRODUCT_REF_EXT_MAX_LENGTH:
            raise ValueError(
                f"products_ref_ext {ref_ext!r} is longer than {PRODUCT_REF_EXT_MAX_LENGTH} "
                "characters; Hiboutik cannot store or find it"
            )
        rows = self._paginate(
            "/products/search/",
            params={"products_ref_ext": ref_ext},
            empty_on_404=True,
            essential=essential,
        )
        return [product_from_payload(row) for row in rows]

    # --- product images --------------------------------------------------------------------

    def upload_product_image(
        self,
        product_id: int,
        content: bytes,
        *,
        filename: str,
        content_type: str,
        large: bool = False,
        slot: int | None = None,
        framing: str | None = None,
        essential: bool = False,
    ) -> int | None:
        """Upload an image as multipart field ``image``: the POS thumbnail, or with
        ``large=True`` the 1000×1000 web image in ``slot`` 1..4. Returns the ``image_id`` when
        Hiboutik's answer carries one (its answer is not documented). Never retried: list the
        product's images before calling again."""
        if not content:
            raise ValueError("image content is empty")
        if "." not in filename:
            raise ValueError(f"image file name {filename!r} needs an extension")
        if not content_type.startswith("image/"):
            raise ValueError(f"content_type {content_type!r} is not an image type")
        if framing is not None and framing not in ("frame", "default"):
            raise ValueError(f"framing must be 'frame' or 'default', got {framing!r}")
        fields: dict[str, str] = {}
        if framing is not None:
            fields["framing_type"] = framing
        if large:
            route = "products_images_1000x1000"
            if slot is not None:
                if not 1 <= slot <= 4:
                    raise ValueError(f"image slot must be 1 to 4, got {slot}")
                fields["image_id"] = str(slot)
        else:
            route = "products_images"
            if slot is not None:
                raise ValueError("slot only applies to large images")
        payload = self._send(
            "POST",
            f"/{route}/{_id(product_id)}/",
            data=fields,
            files={"image": (filename, content, content_type)},
            essential=essential,
        )
        if isinstance(payload, list) and len(payload) == 1:
            payload = payload[0]
        if isinstance(payload, Mapping) and payload.get("image_id") not in (None, ""):
            return parse_int(payload["image_id"], field="image_id")
        return None

    def list_product_images(
        self, product_id: int, *, essential: bool = False
    ) -> list[ProductImage]:
        payload = self._get(
            "/products_images/",
            params={"product_id": _id(product_id)},
            empty_on_404=True,
            essential=essential,
        )
        return [product_image_from_payload(row) for row in _rows(payload, "product images")]

    # --- reference data --------------------------------------------------------------------

    def list_taxes(self, *, essential: bool = False) -> list[Tax]:
        return [tax_from_payload(row) for row in self._get_list("/taxes/", essential)]

    def list_stores(self, *, essential: bool = False) -> list[Store]:
        return [store_from_payload(row) for row in self._get_list("/stores/", essential)]

    def list_warehouses(self, *, essential: bool = False) -> list[Warehouse]:
        return [warehouse_from_payload(row) for row in self._get_list("/warehouses/", essential)]

    def list_payment_types(self, store_id: int, *, essential: bool = False) -> list[PaymentType]:
        rows = self._get_list(f"/payment_types/{_id(store_id)}", essential)
        return [payment_type_from_payload(row) for row in rows]

    # --- stock -----------------------------------------------------------------------------

    def iter_stock(self, warehouse_id: int, *, essential: bool = False) -> Iterator[StockLevel]:
        """Stock of every product and size in one warehouse, 250 rows a call."""
        path = f"/stock_available/warehouse_id/{_id(warehouse_id)}"
        for row in self._paginate(path, essential=essential):
            level = stock_level_from_payload(row)
            if level.warehouse_id is None:
                level = _with_warehouse(level, warehouse_id)
            yield level

    def create_inventory_input(
        self,
        warehouse_id: int,
        *,
        label: str = "",
        supplier_id: int | None = None,
        essential: bool = False,
    ) -> int:
        """Open a stock order (inventory input) on a warehouse; returns its id. Stock changes
        only when it is validated."""
        data = {"stock_id": str(_id(warehouse_id))}
        if label:
            data["label"] = label
        if supplier_id is not None:
            data["supplier_id"] = str(_id(supplier_id, allow_zero=True))
        payload = self._send("POST", "/inventory_inputs", data=data, essential=essential)
        return _created_id(payload, "inventory_input_id")

    def add_inventory_input_detail(
        self,
        inventory_input_id: int,
        *,
        product_id: int,
        quantity: int,
        size_id: int = 0,
        essential: bool = False,
    ) -> int:
        """Add a line; ``quantity`` is the change to apply and may be negative (that is how
        stock is lowered). Returns the line id."""
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ValueError(f"quantity must be an integer, got {quantity!r}")
        if quantity == 0:
            raise ValueError("quantity 0 changes nothing; leave the line out")
        data = {
            "product_id": str(_id(product_id)),
            "product_size": str(_id(size_id, allow_zero=True)),
            "quantity": str(quantity),
        }
        payload = self._send(
            "POST",
            f"/inventory_input_details/{_id(inventory_input_id)}",
            data=data,
            essential=essential,
        )
        return _created_id(payload, "inventory_input_detail_id")

    def validate_inventory_input(self, inventory_input_id: int, *, essential: bool = False) -> None:
        """Apply the stock order. Not retried: validating twice is refused or applies twice."""
        self._send(
            "POST",
            "/inventory_input_validate",
            data={"inventory_input_id": str(_id(inventory_input_id))},
            essential=essential,
        )

    # --- customers -------------------------------------------------------------------------

    def create_customer(self, customer: NewCustomer, *, essential: bool = False) -> int:
        """Create a customer; returns its ``customers_id``. Never retried: search by email
        before calling again."""
        payload = self._send(
            "POST", "/customers/", data=customer_create_payload(customer), essential=essential
        )
        return _created_id(payload, "customers_id")

    def get_customer(self, customer_id: int, *, essential: bool = False) -> Customer:
        payload = self._get(f"/customer/{_id(customer_id)}", essential=essential)
        return customer_from_payload(unwrap_one(payload, what="customer"))

    def search_customers_by_email(self, email: str, *, essential: bool = False) -> list[Customer]:
        """Customers with this email; ``[]`` when none."""
        if "@" not in email:
            raise ValueError(f"{email!r} is not an email address")
        rows = self._paginate(
            "/customers/search/",
            params={"email": email.strip()},
            empty_on_404=True,
            essential=essential,
        )
        return [customer_from_payload(row) for row in rows]

    def update_customer(
        self, customer_id: int, attribute: str, value: Any, *, essential: bool = False
    ) -> None:
        """Set one attribute, named as Hiboutik reads it back (``email``, ``last_name``...)."""
        self._send(
            "PUT",
            f"/customer/{_id(customer_id)}",
            data={"customers_attribute": _attribute(attribute), "new_value": form_value(value)},
            retry=Retry.IDEMPOTENT,
            essential=essential,
        )

    # --- sales -----------------------------------------------------------------------------

    def iter_closed_sales(
        self, store_id: int, day: date, *, essential: bool = False
    ) -> Iterator[SaleSummary]:
        """Sales of ``store_id`` closed on ``day`` (the store's local date)."""
        path = f"/closed_sales/{_id(store_id)}/{day.year:04d}/{day.month:02d}/{day.day:02d}"
        for row in self._paginate(path, essential=essential):
            yield sale_summary_from_payload(row)

    def get_sale(self, sale_id: int, *, essential: bool = False) -> Sale:
        payload = self._get(f"/sales/{_id(sale_id)}", essential=essential)
        return sale_from_payload(unwrap_one(payload, what="sale"))

    # --- webhooks --------------------------------------------------------------------------

    def create_webhook(
        self,
        *,
        url: str,
        label: str,
        action: str = "sale",
        app_id: str = "connect",
        asynchronous: bool = False,
        essential: bool = False,
    ) -> int:
        """Register ``url`` for ``action`` events; returns the ``webhook_id``. Never retried:
        list the webhooks before calling again."""
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook url must be an http(s) URL, got {url!r}")
        if not label.strip() or not action.strip():
            raise ValueError("webhook label and action are required")
        data = {
            "webhook_label": label,
            "webhook_url": url,
            "webhook_action": action,
            "webhook_app_id_int": app_id,
        }
        if asynchronous:
            # Synchronous is Hiboutik's default; the flag is only sent to change it.
            data["webhook_async"] = "1"
        payload = self._send("POST", "/webhooks", data=data, essential=essential)
        return _created_id(payload, "webhook_id")

    def list_webhooks(self, *, essential: bool = False) -> list[Webhook]:
        return [webhook_from_payload(row) for row in self._get_list("/webhooks", essential)]

    def delete_webhook(self, webhook_id: int, *, essential: bool = False) -> None:
        self._send(
            "DELETE", f"/webhooks/{_id(webhook_id)}", retry=Retry.IDEMPOTENT, essential=essential
        )

    # --- plumbing --------------------------------------------------------------------------

    def _get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        empty_on_404: bool = False,
        essential: bool,
    ) -> Any:
        try:
            return self._send("GET", path, params=params, retry=Retry.READ, essential=essential)
        except HiboutikNotFound:
            if empty_on_404:
                return []
            raise

    def _get_list(self, path: str, essential: bool) -> list[Any]:
        return _rows(self._get(path, essential=essential), path)

    def _paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        empty_on_404: bool = False,
        essential: bool,
    ) -> Iterator[Any]:
        """Rows of every page of ``path``. A 404 past the first page ends the list; on the
        first page it means "no match" for searches (``empty_on_404``) and is raised
        otherwise (an unknown warehouse or store)."""
        page, seen = 1, 0
        while True:
            try:
                response = self._request(
                    "GET",
                    path,
                    params={**(params or {}), "p": page},
                    retry=Retry.READ,
                    essential=essential,
                )
            except HiboutikNotFound:
                if page > 1 or empty_on_404:
                    return
                raise
            rows = _rows(self._decode(response, path), path)
            seen += len(rows)
            yield from rows
            following = next_page(
                page, len(rows), seen, read_page_headers(response.headers), self.page_size
            )
            if following is None:
                return
            page = following

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        retry: Retry = Retry.NEVER,
        essential: bool,
    ) -> Any:
        response = self._request(
            method, path, params=params, data=data, files=files, retry=retry, essential=essential
        )
        return self._decode(response, path)

    def _decode(self, response: requests.Response, path: str) -> Any:
        return decode_json(
            response.content,
            method=response.request.method or "",
            path=path,
            status=response.status_code,
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        retry: Retry,
        essential: bool,
    ) -> requests.Response:
        """One logical call: as many HTTP attempts as ``retry`` allows, each one checked
        against and recorded in the ledger, each one inside the account's concurrency gate."""
        url = self.base_url + path
        throttle_retries = server_error_retries = 0
        attempt = 0
        while True:
            attempt += 1
            if self.ledger.is_exhausted(self.ledger_key, essential=essential):
                raise HiboutikQuotaExhausted(
                    "monthly Hiboutik call quota is spent according to the call ledger; "
                    "no request was sent",
                    method=method,
                    path=path,
                )
            outcome = self._attempt(method, url, path, params, data, files, attempt)
            if isinstance(outcome, requests.Response):
                return outcome
            error = outcome
            if isinstance(error, HiboutikQuotaExhausted):
                self.ledger.mark_exhausted(self.ledger_key)
                raise error
            delay = self._retry_delay(error, retry, throttle_retries, server_error_retries)
            if delay is None:
                raise error
            if isinstance(error, HiboutikThrottled):
                throttle_retries += 1
            else:
                server_error_retries += 1
            log.warning(
                "Hiboutik %s %s failed (%s); retrying in %.2f s", method, path, error, delay
            )
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        url: str,
        path: str,
        params: Mapping[str, Any] | None,
        data: Mapping[str, str] | None,
        files: Mapping[str, Any] | None,
        attempt: int,
    ) -> requests.Response | HiboutikError:
        """One HTTP attempt: the response when it succeeded, else the error to handle."""
        with self._gate.slot():
            self.ledger.record(self.ledger_key)
            started = time.monotonic()
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    files=files,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except _TRANSIENT_EXCEPTIONS as exc:
                log.debug(
                    "Hiboutik %s %s attempt %d: %s", method, path, attempt, type(exc).__name__
                )
                return HiboutikThrottled(
                    f"{type(exc).__name__}: no usable answer from Hiboutik",
                    method=method,
                    path=path,
                )
            except requests.exceptions.RequestException as exc:
                return HiboutikError(
                    f"request failed: {type(exc).__name__}", method=method, path=path
                )
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug(
            "Hiboutik %s %s attempt %d -> %d in %.0f ms",
            method,
            path,
            attempt,
            response.status_code,
            elapsed_ms,
        )
        if response.status_code < 400:
            return response
        return error_from_response(
            response.status_code,
            response.content,
            method=method,
            path=path,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _retry_delay(
        self,
        error: HiboutikError,
        retry: Retry,
        throttle_retries: int,
        server_error_retries: int,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up and raise."""
        if retry is Retry.NEVER:
            return None
        if isinstance(error, HiboutikThrottled):
            if throttle_retries >= self.max_retries:
                return None
            if error.retry_after is not None:
                return error.retry_after if error.retry_after <= self.max_retry_after else None
            return backoff_delay(
                throttle_retries, base=self.backoff_base, cap=self.backoff_cap, rng=self._rng
            )
        if isinstance(error, HiboutikServerError) and retry is Retry.READ:
            if server_error_retries >= self.max_server_error_retries:
                return None
            return backoff_delay(
                server_error_retries, base=self.backoff_base, cap=self.backoff_cap, rng=self._rng
            )
        return None


def _id(value: int, *, allow_zero: bool = False) -> int:
    """Ids are put into paths: refuse anything but a positive int so a bad id cannot turn
    into another route (``"1/../2"``) or a silent ``0``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Hiboutik ids are integers, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"Hiboutik ids are positive, got {value}")
    return value


def _segment(value: str, what: str) -> str:
    if not value or not value.strip():
        raise ValueError(f"{what} is empty")
    return quote(value.strip(), safe="")


def _attribute(name: str) -> str:
    if not name or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"{name!r} is not a Hiboutik attribute name")
    return name


def _rows(payload: Any, what: str) -> list[Any]:
    """A list answer; ``None`` or ``{}`` (an empty body) count as no rows."""
    if payload is None or payload == {}:
        return []
    if not isinstance(payload, list):
        raise HiboutikPayloadError(f"{what}: expected a list, got {type(payload).__name__}")
    return payload


def _created_id(payload: Any, key: str) -> int:
    """The new id of a create answer, ``{"<entity>_id": N}`` or ``[{...}]``."""
    row = unwrap_one(payload, what=f"answer with {key}")
    if key not in row:
        raise HiboutikPayloadError(f"create answer has no {key}: {dict(row)!r}")
    return parse_int(row[key], field=key)


def _with_warehouse(level: StockLevel, warehouse_id: int) -> StockLevel:
    return replace(level, warehouse_id=warehouse_id)
