"""products.update: push to Hiboutik what changed of bound products (price, tax, barcode).

The product services mark a product's bindings when one of those fields changes, in the same
transaction. A run reads the marked bindings, 1,000 at a time, compares each product with the
state last pushed (kept on its binding) and sends one PUT per attribute that differs: a
product marked but equal to what Hiboutik holds costs no call. The marks are cleared after
the push, except where the product was changed again meanwhile.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.flows.catalogue import TAX_UNKNOWN, Taxes, require_catalogue_owner, scope_of
from hiboutik.mappers.catalogue import TAX, product_changes, product_state
from hiboutik.product_refs import parse_product_ref
from hiboutik.selectors import BoundRow, dirty_products
from integrations.flows import Flow, RecordError
from integrations.models import ExternalBinding
from integrations.schedules import Schedule
from integrations.services.bindings import binding_set_pushed_state
from integrations.services.marks import bindings_clear_marks

BATCH = 1000
UNREADABLE_REF = gettext_noop("The binding's Hiboutik reference %(ref)s cannot be read.")


class ProductsUpdate(Flow):
    key = "products.update"
    label = _("Update products")
    description = _(
        "Pushes the price, tax and barcode of products already in Hiboutik when they change "
        "in Connect, one attribute per call."
    )
    recommended_schedule = Schedule.every(60)
    account_wide = True

    def run(self) -> None:
        scope = scope_of(self, "product")
        batch = dirty_products(scope, limit=BATCH)
        if not batch:
            return
        require_catalogue_owner(self)
        self._taxes = Taxes(self.ctx.client)
        self._prices_include_tax = self.ctx.config.products.prices_include_tax
        while batch:
            pushed: dict[int, int] = {}
            for row in batch:
                with self.ctx.record("product", row.item.product_id):
                    self._push(row)
                    pushed[row.binding_id] = row.mark_seq
            bindings_clear_marks(pushed)
            if len(batch) < BATCH:
                break
            batch = dirty_products(scope, after=batch[-1].binding_id, limit=BATCH)

    def _push(self, row: BoundRow) -> None:
        product = row.item
        try:
            hiboutik_id, size_id = parse_product_ref(row.external_id)
        except ValueError:
            raise RecordError("unreadable_ref", UNREADABLE_REF, {"ref": row.external_id}) from None
        desired = product_state(product, prices_include_tax=self._prices_include_tax, tax_id=None)
        tax_ids: list[int] = []

        def tax_id() -> int | None:
            found = self._taxes.id_for(product.tax_rate)
            if found is not None:
                tax_ids.append(found)
            return found

        try:
            changes = product_changes(desired, row.pushed_state, tax_id, size_bound=bool(size_id))
        except LookupError:
            raise RecordError(
                "tax_unknown", TAX_UNKNOWN, {"rate": str(product.tax_rate.normalize())}
            ) from None
        state = dict(row.pushed_state)
        if tax_ids and desired["tax_rate"] != state.get("tax_rate"):
            # The rate is now Hiboutik's tax tax_ids[0], sent below unless it already was.
            state.update({"tax_rate": desired["tax_rate"], TAX: tax_ids[0]})
        saved = state != row.pushed_state
        try:
            for change in changes:
                self.ctx.client.update_product(hiboutik_id, change.attribute, change.value)
                if change.attribute != TAX:
                    state[change.attribute] = desired[change.attribute]
                saved = True
        finally:
            if saved and state != row.pushed_state:
                binding_set_pushed_state(ExternalBinding(pk=row.binding_id), state)
        self.ctx.count(**({"updated": 1} if changes else {"skipped": 1}))
