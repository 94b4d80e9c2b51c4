"""The Hiboutik REST client: HTTP only, no Django.

One :class:`HiboutikClient` talks to one Hiboutik account, in production at
``https://{account}.hiboutik.com/api`` (:meth:`HiboutikClient.for_account`) and in tests and the
demo at the simulator's base URL. What it guarantees the flows:

- **Typed results.** Every method returns :mod:`hiboutik.types` values built by the pure
  :mod:`hiboutik.mappers`; lists come back as generators that walk ``?p=`` pages
  (:mod:`hiboutik.pagination`); one-element arrays are unwrapped.
- **Typed errors.** Failures raise the :mod:`hiboutik.errors` family; an empty search
  (``200 []`` or 404) is an empty result, not an error.
- **Quota, retries, concurrency and secrets** are handled for every call by
  :class:`~hiboutik.transport.HiboutikTransport`: each HTTP attempt is counted in the call
  ledger, reads and PUT/DELETE are retried on throttling, creates are never re-sent (the
  caller looks the record up by its reference before trying again), at most
  ``max_concurrency`` calls per account are in flight, and credentials are never logged.

Input that cannot be right (an id that is not a positive int, a ``products_ref_ext`` Hiboutik
would cut, an image without an extension) raises ``ValueError`` before any call is made.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import quote

from hiboutik.errors import HiboutikPayloadError, HiboutikValidationError
from hiboutik.image_upload import prepare_image
from hiboutik.mappers.customers import customer_create_payload, customer_from_payload
from hiboutik.mappers.inventory import (
    inventory_input_detail_from_payload,
    inventory_input_from_payload,
)
from hiboutik.mappers.products import (
    product_create_payload,
    product_differences,
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
from hiboutik.mappers.sales import (
    credit_note_from_payload,
    sale_from_payload,
    sale_summary_from_payload,
)
from hiboutik.mappers.values import form_value, parse_int, unwrap_one
from hiboutik.mappers.webhooks import webhook_from_payload
from hiboutik.retry import Retry
from hiboutik.transport import HiboutikTransport, rows
from hiboutik.types import (
    PRODUCT_REF_EXT_MAX_LENGTH,
    CreditNote,
    Customer,
    InventoryInput,
    InventoryInputDetail,
    NewCustomer,
    NewProduct,
    PaymentType,
    Product,
    ProductImage,
    ProductMatch,
    Sale,
    SaleSummary,
    StockChange,
    StockLevel,
    StockPush,
    Store,
    Tax,
    Warehouse,
    Webhook,
)

log = logging.getLogger("hiboutik.client")

ACCOUNT_LABEL = re.compile(r"^[a-z0-9_]+$")


class HiboutikClient(HiboutikTransport):
    """A client for one Hiboutik account: one typed method per route the flows use.

    Built with the settings of :class:`~hiboutik.transport.HiboutikTransport` (base URL,
    credentials, ledger, concurrency, timeouts, retries), or with :meth:`for_account` for
    production. Every method takes ``essential=True`` for calls that must go out even when
    the ledger says the month's quota is spent.
    """

    @classmethod
    def for_account(cls, account: str, **kwargs: Any) -> HiboutikClient:
        """A client for ``https://{account}.hiboutik.com/api``; the ledger key defaults to the
        account label, so every client of the account shares its count and its gate."""
        label = account.strip().lower()
        if not ACCOUNT_LABEL.match(label):
            raise ValueError(
                f"Hiboutik account {account!r} must be the account name, as in "
                "moncompte.hiboutik.com "
                "(lowercase letters, digits, underscore)"
            )
        kwargs.setdefault("ledger_key", label)
        return cls(base_url=f"https://{label}.hiboutik.com/api", **kwargs)

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
        network error, search by ``ref_ext`` or barcode before calling again. Then record the
        id and call :meth:`confirm_product`: Hiboutik may drop a field without a word."""
        payload = self._send(
            "POST", "/products/", data=product_create_payload(product), essential=essential
        )
        return _created_id(payload, "product_id")

    def confirm_product(
        self, product_id: int, sent: NewProduct, *, essential: bool = False
    ) -> Product:
        """Read a product just created back and set, one attribute per call, every field of
        ``sent`` it does not hold (``product_supply_price`` included: whether Hiboutik takes it
        on create is not documented). Returns the product as it now is. Costs one call, plus
        one per field Hiboutik dropped; a field it still refuses raises its error."""
        stored = self.get_product(product_id, essential=essential)
        missing = product_differences(stored, sent)
        for difference in missing:
            log.warning(
                "Hiboutik product %d was created without %s as sent; setting it",
                product_id,
                difference.attribute,
            )
            self.update_product(
                product_id, difference.attribute, difference.value, essential=essential
            )
        return replace(stored, **{difference.field: difference.value for difference in missing})

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
        """Products, or product sizes, whose barcode is exactly ``barcode``; ``[]`` when none.
        Hiboutik's searches may match substrings, so hits whose product or size barcode is not
        equal to ``barcode`` (compared as given, after trimming) are dropped; a hit that shows
        no barcode at all cannot be checked and is kept (the documented hit is only
        ``{product_id, product_size}``)."""
        wanted = barcode.strip()
        path = f"/products/search/barcode/{_segment(barcode, 'barcode')}/"
        matches = (
            product_match_from_payload(row)
            for row in self._paginate(path, empty_on_404=True, essential=essential)
        )
        return [match for match in matches if match.barcode in (wanted, "")]

    def search_products_by_ref_ext(self, ref_ext: str, *, essential: bool = False) -> list[Product]:
        """Products whose ``products_ref_ext`` is exactly ``ref_ext`` (case-sensitive: Connect's
        references are); ``[]`` when none. Hiboutik's search may match substrings and ignore
        case, so the other hits are dropped. Hiboutik keeps only 20 characters of that field,
        so a longer reference is refused here."""
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
        products = (product_from_payload(row) for row in rows)
        return [product for product in products if product.ref_ext == ref_ext]

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
        product's images before calling again.

        Hiboutik takes JPEG and PNG only: the bytes decide, not ``filename`` or
        ``content_type``; another image format is converted to PNG first, and a file that is
        no image raises ``ValueError`` before any call (:mod:`hiboutik.image_upload`)."""
        if "." not in filename:
            raise ValueError(f"image file name {filename!r} needs an extension")
        if not content_type.startswith("image/"):
            raise ValueError(f"content_type {content_type!r} is not an image type")
        image = prepare_image(content, filename)
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
            files={"image": (image.filename, image.content, image.content_type)},
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
        return [product_image_from_payload(row) for row in rows(payload, "product images")]

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
        """Add a line; ``quantity`` is the change to apply and may be negative (the only way
        to lower stock through the API, which some accounts may refuse with a 422: see
        :meth:`push_stock_changes`). It is sent as ``received`` too, as the official client
        does, so the line counts as received at once. Returns the line id."""
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ValueError(f"quantity must be an integer, got {quantity!r}")
        if quantity == 0:
            raise ValueError("quantity 0 changes nothing; leave the line out")
        data = {
            "product_id": str(_id(product_id)),
            "product_size": str(_id(size_id, allow_zero=True)),
            "quantity": str(quantity),
            "received": str(quantity),
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

    def iter_inventory_inputs(self, *, essential: bool = False) -> Iterator[InventoryInput]:
        """Stock orders, newest first, page by page: stop reading once the one looked for is
        found (every page is a call)."""
        for row in self._paginate("/inventory_inputs", essential=essential):
            yield inventory_input_from_payload(row)

    def recent_inventory_inputs(self, *, essential: bool = False) -> list[InventoryInput]:
        """The newest stock orders, one page (up to 250) in one call: where a stock order
        created moments ago is, when its id was lost with the answer."""
        page = self._read_page("/inventory_inputs", None, 1, essential=essential, missing_ok=True)
        return [inventory_input_from_payload(row) for row in page[0]] if page else []

    def get_inventory_input(
        self, inventory_input_id: int, *, essential: bool = False
    ) -> InventoryInput:
        payload = self._get(f"/inventory_inputs/{_id(inventory_input_id)}", essential=essential)
        return inventory_input_from_payload(unwrap_one(payload, what="inventory input"))

    def list_inventory_input_details(
        self, inventory_input_id: int, *, essential: bool = False
    ) -> list[InventoryInputDetail]:
        """The lines of a stock order, as Hiboutik holds them (what validating it applies)."""
        payload = self._get(
            f"/inventory_input_details/{_id(inventory_input_id)}", essential=essential
        )
        return [
            inventory_input_detail_from_payload(row)
            for row in rows(payload, "inventory input lines")
        ]

    def push_stock_changes(
        self,
        warehouse_id: int,
        changes: Sequence[StockChange],
        *,
        label: str = "",
        decreases_allowed: bool = True,
        read_back: bool = False,
        essential: bool = False,
    ) -> StockPush:
        """Apply ``changes`` to a warehouse in one stock order: create it, add a line per
        change, validate it. Costs 2 calls plus one per line, plus, with ``read_back``, one
        per distinct product of ``changes`` (refused ones included) to read its stock in the
        warehouse back after validation.

        Lowering stock needs a negative line, which Hiboutik may refuse (unproven either way).
        Increases go first; then the first decrease the account refuses (a 422 on the
        quantity) stops the others being sent, and every decrease comes back in
        ``StockPush.refused``, not applied: no API route is known that lowers stock otherwise,
        so the merchant must do it in Hiboutik (an inventory count). Pass
        ``decreases_allowed=False`` once you know, and no decrease is sent at all. Nothing to
        apply makes no call. Not retried as a whole: the order is created once."""
        seen: set[tuple[int, int]] = set()
        for change in changes:
            key = (_id(change.product_id), _id(change.size_id, allow_zero=True))
            if key in seen:
                raise ValueError(f"product {key[0]} size {key[1]} is changed twice; add them up")
            if isinstance(change.quantity, bool) or not isinstance(change.quantity, int):
                raise ValueError(f"quantity must be an integer, got {change.quantity!r}")
            if change.quantity == 0:
                raise ValueError(f"product {key[0]}: a change of 0 changes nothing; leave it out")
            seen.add(key)
        increases = [change for change in changes if change.quantity > 0]
        decreases = [change for change in changes if change.quantity < 0]
        refused: list[StockChange] = [] if decreases_allowed else decreases
        to_send = increases + (decreases if decreases_allowed else [])
        if not to_send:
            return StockPush(None, refused=tuple(refused))
        input_id = self.create_inventory_input(warehouse_id, label=label, essential=essential)
        applied: list[StockChange] = []
        for change in to_send:
            try:
                self.add_inventory_input_detail(
                    input_id,
                    product_id=change.product_id,
                    quantity=change.quantity,
                    size_id=change.size_id,
                    essential=essential,
                )
            except HiboutikValidationError as error:
                if change.quantity > 0 or not refuses_stock_quantity(error):
                    raise
                log.warning(
                    "Hiboutik refuses negative stock order lines on this account (%s); "
                    "%d decreases not applied",
                    error,
                    len(decreases),
                )
                refused = decreases
                break
            applied.append(change)
        if not applied:
            # All were decreases, all refused: the empty stock order stays open in Hiboutik
            # (no route to delete one is known).
            return StockPush(None, refused=tuple(refused))
        self.validate_inventory_input(input_id, essential=essential)
        stock_after: list[StockLevel] = []
        if read_back:
            for product_id in dict.fromkeys(change.product_id for change in changes):
                stock_after.extend(
                    level
                    for level in self.product_stock(product_id, essential=essential)
                    if level.warehouse_id == warehouse_id
                )
        return StockPush(input_id, tuple(applied), tuple(refused), tuple(stock_after))

    def product_stock(self, product_id: int, *, essential: bool = False) -> list[StockLevel]:
        """Stock of one product, one row per warehouse and size (rows exist for products
        without stock management too: check :attr:`Product.stock_managed`)."""
        found = self._get_list(f"/stock_available/product_id/{_id(product_id)}", essential)
        return [stock_level_from_payload(row, product_id=product_id) for row in found]

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
        """Customers with this email, compared without case and surrounding spaces (addresses
        are case-insensitive in practice); ``[]`` when none. Hiboutik's search may match
        substrings (``ann@x.fr`` in ``joann@x.fr``), so the other hits are dropped."""
        if "@" not in email:
            raise ValueError(f"{email!r} is not an email address")
        wanted = email.strip().lower()
        rows = self._paginate(
            "/customers/search/",
            params={"email": email.strip()},
            empty_on_404=True,
            essential=essential,
        )
        customers = (customer_from_payload(row) for row in rows)
        return [c for c in customers if c.email.strip().lower() == wanted]

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
        return sale_from_payload(self.get_sale_payload(sale_id, essential=essential))

    def get_sale_payload(self, sale_id: int, *, essential: bool = False) -> dict[str, Any]:
        """The sale as Hiboutik answered it, unread: what an importer keeps to import it again
        later exactly as it came (``sale_from_payload`` reads it)."""
        payload = self._get(f"/sales/{_id(sale_id)}", essential=essential)
        return dict(unwrap_one(payload, what="sale"))

    def list_credit_notes(self, store_id: int, *, essential: bool = False) -> list[CreditNote]:
        """The store's pending credit notes (*avoirs*): what the till's exchange gave back
        and no sale has spent yet. Only ``credit_note`` (the code) is a known field name; the
        others are read under their likely names and left empty when absent."""
        rows = self._paginate(
            f"/credit_notes/{_id(store_id)}", empty_on_404=True, essential=essential
        )
        return [credit_note_from_payload(row) for row in rows]

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


def refuses_stock_quantity(error: HiboutikValidationError) -> bool:
    """A 422 on a stock order line that names its quantity: the account refuses the sign."""
    return error.names_field("quantity", "received")


def _created_id(payload: Any, key: str) -> int:
    """The new id of a create answer, ``{"<entity>_id": N}`` or ``[{...}]``."""
    row = unwrap_one(payload, what=f"answer with {key}")
    if key not in row:
        raise HiboutikPayloadError(f"create answer has no {key}: {dict(row)!r}")
    return parse_int(row[key], field=key)


def _with_warehouse(level: StockLevel, warehouse_id: int) -> StockLevel:
    return replace(level, warehouse_id=warehouse_id)
