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

from hiboutik.flows.catalogue import (
    TAX_UNKNOWN,
    Taxes,
    record_failure,
    require_catalogue_owner,
    scope_of,
    settle_quiet,
)
from hiboutik.mappers.catalogue import TAX, Change, product_changes, product_state
from hiboutik.product_refs import parse_product_ref
from hiboutik.selectors import BoundRow, bound_row, dirty_products
from integrations.flows import Flow, RecordError, Resolved
from integrations.models import ExternalBinding, IntegrationError
from integrations.schedules import Schedule
from integrations.services.bindings import binding_set_pushed_state
from integrations.services.marks import bindings_clear_marks

BATCH = 1000
NOT_BOUND = gettext_noop("The product is no longer bound to a Hiboutik product.")
UPDATED = gettext_noop("Hiboutik holds the product's price, tax and barcode as Connect does.")
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
            quiet: list[int] = []
            for row in batch:
                if self._handle(row, quiet):
                    pushed[row.binding_id] = row.mark_seq
            settle_quiet(self.ctx, "product", quiet)
            bindings_clear_marks(pushed)
            if len(batch) < BATCH:
                break
            batch = dirty_products(scope, after=batch[-1].binding_id, limit=BATCH)

    def retry(self, error: IntegrationError) -> Resolved:
        require_catalogue_owner(self)
        self._taxes = Taxes(self.ctx.client)
        self._prices_include_tax = self.ctx.config.products.prices_include_tax
        row = bound_row(scope_of(self, "product"), "product", int(error.record_id))
        if row is None:
            raise RecordError("not_bound", NOT_BOUND)
        hiboutik_id, changes, state, desired = self._plan(row)
        if changes:
            self._push(row, hiboutik_id, changes, state, desired)
        elif state != row.pushed_state:
            binding_set_pushed_state(ExternalBinding(pk=row.binding_id), state)
        return Resolved(UPDATED)

    def _handle(self, row: BoundRow, quiet: list[int]) -> bool:
        """Push one marked product; True when its mark may be cleared. A product that needs
        no call costs no query here either (the batch settles it)."""
        product_id = row.item.product_id
        try:
            hiboutik_id, changes, state, desired = self._plan(row)
        except RecordError as error:
            record_failure(self.ctx, "product", product_id, error)
            return False
        if not changes:
            if state != row.pushed_state:
                binding_set_pushed_state(ExternalBinding(pk=row.binding_id), state)
            quiet.append(product_id)
            return True
        with self.ctx.record("product", product_id):
            self._push(row, hiboutik_id, changes, state, desired)
            return True
        return False

    def _plan(self, row: BoundRow) -> tuple[int, list[Change], dict, dict]:
        """What to send for one product: the attributes that differ, and the state to
        record (a changed rate may need no PUT when Hiboutik's tax id is the same)."""
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
        sends_tax = any(change.attribute == TAX for change in changes)
        if tax_ids and desired["tax_rate"] != state.get("tax_rate") and not sends_tax:
            # A new rate whose Hiboutik tax is the one Hiboutik holds already: nothing to send.
            state.update({"tax_rate": desired["tax_rate"], TAX: tax_ids[0]})
        return hiboutik_id, changes, state, desired

    def _push(
        self, row: BoundRow, hiboutik_id: int, changes: list[Change], state: dict, desired: dict
    ) -> None:
        """One PUT per change; what was sent is recorded even when a later PUT fails, so the
        next run sends only the rest."""
        try:
            for change in changes:
                self.ctx.client.update_product(hiboutik_id, change.attribute, change.value)
                if change.attribute == TAX:
                    state.update({"tax_rate": desired["tax_rate"], TAX: change.value})
                else:
                    state[change.attribute] = desired[change.attribute]
        finally:
            if state != row.pushed_state:
                binding_set_pushed_state(ExternalBinding(pk=row.binding_id), state)
        self.ctx.count(updated=1)
