"""What the flows that write Hiboutik's catalogue (products, images, customers) share: only
the integration that owns the account's catalogue writes it, and Hiboutik's taxes are read
once per run, only when a run needs them."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop

from hiboutik.mappers.catalogue import ConnectProduct, product_changes, product_state, tax_id_for
from hiboutik.selectors import catalogue_owner
from hiboutik.types import Tax
from integrations.flows import Flow, FlowFailed, RecordError
from integrations.selectors.bindings import binding_scope
from integrations.services.errors import errors_resolve_records

NOT_OWNER = gettext_noop(
    "Integration %(owner)s writes the catalogue of this Hiboutik account (its oldest enabled "
    "integration): this one does not, so that no product or customer is created twice."
)
TAX_UNKNOWN = gettext_noop(
    "Hiboutik has no tax of %(rate)s %%: add it in Hiboutik (Paramètres > Taxes) or change the "
    "product's tax rate, then retry."
)


def require_catalogue_owner(flow: Flow) -> None:
    owner = catalogue_owner(flow.integration)
    if owner is None or owner.pk != flow.integration.pk:
        raise FlowFailed("not_catalogue_owner", NOT_OWNER, {"owner": owner.name if owner else "—"})


def scope_of(flow: Flow, object_type: str) -> str:
    return binding_scope(flow.integration, object_type)


class Taxes:
    """Hiboutik's taxes, read at the first need of a run (one call) and kept for it."""

    def __init__(self, client) -> None:
        self._client = client
        self._taxes: list[Tax] | None = None

    def all(self) -> list[Tax]:
        if self._taxes is None:
            self._taxes = self._client.list_taxes()
        return self._taxes

    def by_id(self) -> dict[int, Tax]:
        return {tax.tax_id: tax for tax in self.all()}

    def id_for(self, rate: Decimal) -> int | None:
        return tax_id_for(rate, self.all())

    def required_id_for(self, rate: Decimal) -> int:
        """The tax id of `rate`, or the record error an operator can act on."""
        tax_id = self.id_for(rate)
        if tax_id is None:
            raise RecordError("tax_unknown", TAX_UNKNOWN, {"rate": str(rate.normalize())})
        return tax_id


def needs_push(
    product: ConnectProduct,
    observed: dict,
    taxes: Taxes,
    *,
    prices_include_tax: bool,
    size_id: int = 0,
) -> bool:
    """Whether Hiboutik, holding `observed`, differs from Connect's product (so a product
    bound to what Hiboutik already had is marked for products.update)."""
    desired = product_state(product, prices_include_tax=prices_include_tax, tax_id=None)
    try:
        changes = product_changes(
            desired, observed, lambda: taxes.id_for(product.tax_rate), size_bound=bool(size_id)
        )
    except LookupError:
        return True  # products.update records the missing tax
    return bool(changes)


class PendingCreates:
    """Creates sent to Hiboutik whose binding is not committed yet, kept in the run's cursor
    (saved, hence committed, at once): a run that finds some left by a run that stopped looks
    those records up before creating them again. Creates are never re-sent blindly."""

    def __init__(self, ctx, *, keep: dict | None = None) -> None:
        self._ctx = ctx
        self._loaded = set(_pending_in(ctx.previous_cursor)) | set(_pending_in(ctx.run.cursor))
        self._ids = set(self._loaded)
        self._keep = dict(keep or {})  # saved with the pending ids in every cursor

    def save(self) -> None:
        self._ctx.save_cursor({**self._keep, "pending": sorted(self._ids)})

    def __contains__(self, record_id: int) -> bool:
        return record_id in self._ids

    def add(self, record_id: int) -> None:
        self._ids.add(record_id)
        self.save()

    def remove(self, record_id: int) -> None:
        if record_id in self._ids:
            self._ids.discard(record_id)
            self.save()

    def keep_only(self, still_unbound) -> None:
        """At the end of a run: forget the ids bound meanwhile (`still_unbound(ids)` says
        which are not); no query when nothing was pending."""
        if not self._loaded:
            return
        left = still_unbound(self._ids)
        if left != self._ids or self._ctx.run.cursor is None:
            self._ids = set(left)
            self.save()


def _pending_in(cursor) -> list[int]:
    if isinstance(cursor, dict):
        return [int(value) for value in cursor.get("pending", []) if str(value).isdigit()]
    return []


def record_failure(ctx, record_type: str, record_id: int, error: RecordError) -> None:
    """What `ctx.record` does with a `RecordError`, for a record checked outside one."""
    ctx.count(seen=1)
    ctx.fail_record(
        record_type,
        record_id,
        error.code,
        error.message,
        error.params,
        detail=error.detail,
        payload=error.payload,
    )


def settle_quiet(ctx, record_type: str, record_ids: list[int]) -> None:
    """Records of a batch that needed no call (marked, but Hiboutik holds them already): seen
    and skipped, and any open error of theirs closed, in one query for the whole batch rather
    than one per record."""
    if not record_ids:
        return
    ctx.count(seen=len(record_ids), skipped=len(record_ids))
    errors_resolve_records(
        integration=ctx.integration,
        flow_key=ctx.run.flow_key,
        record_type=record_type,
        record_ids=record_ids,
    )
