"""products.export: Connect products with no binding become Hiboutik products, bound to the
id Hiboutik gives them.

A create is never repeated blindly. Before each create the product's id is saved in the run's
cursor (committed at once), and taken out once the binding is committed or Hiboutik refused
the create. A run that finds ids left there (a run stopped between the create and the bind,
or the answer was lost) looks each such product up by its SKU in Hiboutik
(``products_ref_ext``) first: found, it is bound; not found, it is created as usual. After a
create the product is read back once and any field Hiboutik did not keep is set
(`HiboutikClient.confirm_product`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.errors import HiboutikNotFound, HiboutikValidationError
from hiboutik.flows.catalogue import (
    PendingCreates,
    Taxes,
    needs_push,
    require_catalogue_owner,
    scope_of,
)
from hiboutik.mappers.catalogue import ConnectProduct, new_product, observed_state, product_state
from hiboutik.product_refs import product_ref
from hiboutik.selectors import connect_product, still_unbound, unbound_products
from hiboutik.types import PRODUCT_REF_EXT_MAX_LENGTH
from integrations.flows import Flow, RecordError, Resolved
from integrations.models import IntegrationError
from integrations.schedules import Schedule
from integrations.services.bindings import NewBinding, bindings_bind_many

BATCH = 1000
SKU_TOO_LONG = gettext_noop(
    "SKU %(sku)s has %(length)s characters: Hiboutik keeps %(max)s in products_ref_ext and would "
    "cut it. Give the product a shorter SKU, or bind it by barcode with the catalogue match."
)
SEVERAL_FOUND = gettext_noop(
    "A run stopped while creating product %(sku)s and Hiboutik now has %(count)s products with "
    "that reference: keep one in Hiboutik (archive the others), then retry."
)
FOUND_AFTER_STOP = gettext_noop(
    "Product %(sku)s was found in Hiboutik (id %(id)s) after a run stopped during its "
    "creation: bound, not created again."
)
ALREADY_BOUND = gettext_noop(
    "Hiboutik product %(id)s is already bound to another Connect product: run the catalogue "
    "match and review its conflicts."
)
PRODUCT_GONE = gettext_noop("The product no longer exists in Connect.")
EXPORTED = gettext_noop("The product was created in Hiboutik.")


class ProductsExport(Flow):
    key = "products.export"
    label = _("Export products")
    description = _(
        "Creates in Hiboutik the Connect products it does not have yet (SKU, name, price, tax, "
        "barcode, cost) and binds them."
    )
    recommended_schedule = Schedule.every(60)
    account_wide = True

    def run(self) -> None:
        require_catalogue_owner(self)
        self._prepare()
        after = 0
        while True:
            batch = unbound_products(
                self._scope,
                include_disabled=not self._settings.exclude_disabled_products,
                after=after,
                limit=BATCH,
                waiting=(self.integration, self.key),
            )
            for product in batch:
                with self.ctx.record("product", product.product_id):
                    self._export(product)
            if len(batch) < BATCH:
                break
            after = batch[-1].product_id
        self._pending.keep_only(lambda ids: still_unbound(self._scope, ids))

    def retry(self, error: IntegrationError) -> Resolved:
        self._prepare()
        product = connect_product(int(error.record_id))
        if product is None:
            raise RecordError("product_gone", PRODUCT_GONE)
        if product.product_id in still_unbound(self._scope, [product.product_id]):
            self._export(product)
        return Resolved(EXPORTED)

    def _prepare(self) -> None:
        self._scope = scope_of(self, "product")
        self._settings = self.ctx.config.products
        self._taxes = Taxes(self.ctx.client)
        self._pending = PendingCreates(self.ctx)

    def _export(self, product: ConnectProduct) -> None:
        if not product.sku_fits:
            raise RecordError(
                "sku_too_long",
                SKU_TOO_LONG,
                {"sku": product.sku, "length": len(product.sku), "max": PRODUCT_REF_EXT_MAX_LENGTH},
            )
        tax_id = self._taxes.required_id_for(product.tax_rate)
        if product.product_id in self._pending and self._bind_found(product):
            return
        prices_include_tax = self._settings.prices_include_tax
        sent = new_product(
            product,
            tax_id=tax_id,
            prices_include_tax=prices_include_tax,
            stock_managed=not self._settings.disable_stock_management,
        )
        self._pending.add(product.product_id)
        try:
            hiboutik_id = self.ctx.client.create_product(sent)
        except (HiboutikValidationError, HiboutikNotFound):
            self._pending.remove(product.product_id)  # refused: nothing was created
            raise
        state = product_state(product, prices_include_tax=prices_include_tax, tax_id=tax_id)
        self._bind(product, hiboutik_id, state, dirty=False)
        self._pending.remove(product.product_id)
        self.ctx.count(created=1)
        self.ctx.client.confirm_product(hiboutik_id, sent)

    def _bind_found(self, product: ConnectProduct) -> bool:
        """After a stopped run: the product created then, if Hiboutik has it, is bound."""
        found = self.ctx.client.search_products_by_ref_ext(product.sku)
        if not found:
            return False
        if len(found) > 1:
            raise RecordError(
                "several_found", SEVERAL_FOUND, {"sku": product.sku, "count": len(found)}
            )
        hiboutik = found[0]
        observed = observed_state(hiboutik, 0, self._taxes.by_id())
        dirty = needs_push(
            product,
            observed,
            self._taxes,
            prices_include_tax=self._settings.prices_include_tax,
        )
        self._bind(product, hiboutik.product_id, observed, dirty=dirty)
        self._pending.remove(product.product_id)
        self.ctx.log(FOUND_AFTER_STOP, sku=product.sku, id=hiboutik.product_id)
        self.ctx.count(updated=1)
        return True

    def _bind(
        self, product: ConnectProduct, hiboutik_id: int, state: dict[str, Any], *, dirty: bool
    ) -> None:
        binding = NewBinding(product.product_id, product_ref(hiboutik_id), state, dirty)
        bound = bindings_bind_many(scope=self._scope, object_type="product", bindings=[binding])
        if product.product_id not in bound:
            raise RecordError("already_bound", ALREADY_BOUND, {"id": hiboutik_id})
