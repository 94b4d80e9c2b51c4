"""catalogue.match: at go-live (and on demand), bind Connect's products to the products a
Hiboutik account already has, so the export creates none of them a second time.

Reads the whole Hiboutik catalogue, 250 products a call, and Hiboutik's taxes once; binds by
SKU = ``products_ref_ext``, then by barcode (a size's barcode binds to that size); records what
the admin reviews on the integration's *Catalogue* tab: conflicts and products only in
Hiboutik. A product bound here whose price, tax or barcode differs from Connect's is marked
changed, so products.update pushes the differences (Connect is the reference). When every
Connect product is bound already, a run reads nothing and keeps the last report.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.flows.catalogue import Taxes, needs_push, require_catalogue_owner, scope_of
from hiboutik.mappers.catalogue import match_catalogue, observed_state
from hiboutik.selectors import catalogue_products, product_bindings, unbound_product_count
from hiboutik.services import catalogue_report_save
from integrations.flows import Flow
from integrations.services.bindings import NewBinding, bindings_bind_many
from integrations.tabs import MANAGE, IntegrationTab

ALL_BOUND = gettext_noop(
    "Every Connect product is bound already: nothing to match, Hiboutik was not read."
)
READ = gettext_noop("%(count)s Hiboutik products read.")
RESULT = gettext_noop(
    "%(matched)s products bound (%(by_sku)s by SKU, %(by_barcode)s by barcode), "
    "%(conflicts)s conflicts, %(only_hiboutik)s only in Hiboutik, %(already)s bound before."
)


class CatalogueMatch(Flow):
    key = "catalogue.match"
    label = _("Catalogue matching")
    description = _(
        "Binds Connect's products to those already in Hiboutik (by SKU, then barcode) before "
        "the first export; review the result in the Catalogue tab."
    )
    account_wide = True
    tabs = (
        IntegrationTab(
            "catalogue",
            _("Catalogue"),
            view="hiboutik.views.catalogue_review",
            permission=MANAGE,
            order=25,
        ),
    )

    def run(self) -> None:
        require_catalogue_owner(self)
        scope = scope_of(self, "product")
        if not unbound_product_count(scope, include_disabled=True):
            # Nothing left to bind: reading Hiboutik again would only spend calls.
            self.ctx.log(ALL_BOUND)
            return
        prices_include_tax = self.ctx.config.products.prices_include_tax
        taxes = Taxes(self.ctx.client)
        by_tax_id = taxes.by_id()
        hiboutik = list(self.ctx.client.iter_products())
        self.ctx.log(READ, count=len(hiboutik))
        bound = product_bindings(scope)
        connect = list(catalogue_products())
        self.ctx.count(seen=len(connect))
        result = match_catalogue(connect, hiboutik, bound=bound)

        connect_by_id = {product.product_id: product for product in connect}
        hiboutik_by_id = {product.product_id: product for product in hiboutik}
        new = []
        for match in result.matches:
            product = connect_by_id[match.product_id]
            observed = observed_state(hiboutik_by_id[match.hiboutik_id], match.size_id, by_tax_id)
            dirty = needs_push(
                product,
                observed,
                taxes,
                prices_include_tax=prices_include_tax,
                size_id=match.size_id,
            )
            new.append(NewBinding(match.product_id, match.ref, observed, dirty))
        made = bindings_bind_many(scope=scope, object_type="product", bindings=new)
        self.ctx.count(created=len(made), skipped=len(connect) - len(bound) - len(made))
        catalogue_report_save(
            integration=self.integration,
            run=self.ctx.run,
            conflicts=result.conflicts,
            only_hiboutik=result.only_hiboutik,
        )
        self.ctx.log(
            RESULT,
            matched=len(made),
            by_sku=sum(1 for m in result.matches if m.by == "sku" and m.product_id in made),
            by_barcode=sum(1 for m in result.matches if m.by == "barcode" and m.product_id in made),
            conflicts=len(result.conflicts),
            only_hiboutik=len(result.only_hiboutik),
            already=len(bound),
        )
