"""customers.export: Connect's customers (from the web shop, the back office) in Hiboutik, so
the cashier finds them at the till.

A customer Connect already had when the export started is looked up by email first (bound when
exactly one Hiboutik customer has it, then given Connect's values), else created with the
``customers_*`` fields (country as ISO alpha-2). A customer made in Connect later is created
without a search (one call saved per customer): Hiboutik can only hold it already if a run
created it and stopped before binding it — such a create is marked before it is sent, and
a marked customer is looked up first — or if the till created it, and then the sale that
brought it to Connect bound it (orders.import matches customers by email). A bound customer
whose exported fields changed (the customer services mark it) gets one PUT per changed field.
A customer with neither a name nor an email is an error: the cashier could not tell who it is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from hiboutik.errors import HiboutikNotFound, HiboutikValidationError
from hiboutik.flows.catalogue import (
    PendingCreates,
    require_catalogue_owner,
    scope_of,
    settle_quiet,
)
from hiboutik.mappers.customers import (
    ConnectCustomer,
    customer_changes,
    customer_observed_state,
    customer_state,
    new_customer,
)
from hiboutik.selectors import (
    bound_row,
    connect_customer,
    dirty_customers,
    last_customer_id,
    unbound_customer_ids,
    unbound_customers,
)
from integrations.flows import Flow, RecordError, Resolved
from integrations.models import ExternalBinding, IntegrationError
from integrations.schedules import Schedule
from integrations.services.bindings import NewBinding, binding_set_pushed_state, bindings_bind_many
from integrations.services.marks import bindings_clear_marks

BATCH = 1000
# In the cursor: the highest customer id Connect had when the export first ran.
KNOWN = "known_before"
UNIDENTIFIED = gettext_noop(
    "Customer #%(id)s has no name and no email: Hiboutik's cashier could not tell who it is. "
    "Add a name or an email in Connect; the next run exports it."
)
SEVERAL = gettext_noop(
    "%(count)s Hiboutik customers have the email %(email)s: merge them in Hiboutik, then retry."
)
UNCONFIRMED = gettext_noop(
    "A run stopped while creating customer #%(id)s, who has no email to look it up by: check "
    "Hiboutik's customers, delete a copy if there is one, then retry."
)
CUSTOMER_GONE = gettext_noop("The customer no longer exists in Connect.")
EXPORTED = gettext_noop("Hiboutik holds the customer as Connect does.")
ALREADY_BOUND = gettext_noop(
    "Hiboutik customer %(id)s is already bound to another Connect customer."
)


class CustomersExport(Flow):
    key = "customers.export"
    label = _("Export customers")
    description = _(
        "Creates Connect's customers in Hiboutik (found by email first) and sends their name, "
        "email, company, phone and country when they change."
    )
    recommended_schedule = Schedule.every(240)
    account_wide = True

    def run(self) -> None:
        scope = scope_of(self, "customer")
        waiting = (self.integration, self.key)
        new = unbound_customers(scope, limit=BATCH, waiting=waiting)
        changed = dirty_customers(scope, limit=BATCH)
        if not new and not changed:
            return
        require_catalogue_owner(self)
        self._scope = scope
        self._start_pending()
        while new:
            for customer in new:
                with self.ctx.record("customer", customer.customer_id):
                    self._export(customer)
            if len(new) < BATCH:
                break
            new = unbound_customers(scope, after=new[-1].customer_id, limit=BATCH, waiting=waiting)
        self._pending.keep_only(lambda ids: unbound_customer_ids(scope, ids))
        while changed:
            pushed: dict[int, int] = {}
            quiet: list[int] = []
            for row in changed:
                desired = customer_state(row.item)
                if not customer_changes(desired, row.pushed_state):
                    quiet.append(row.item.customer_id)
                    pushed[row.binding_id] = row.mark_seq
                    continue
                with self.ctx.record("customer", row.item.customer_id):
                    self._push(int(row.external_id), desired, row.pushed_state, row.binding_id)
                    self.ctx.count(updated=1)
                    pushed[row.binding_id] = row.mark_seq
            settle_quiet(self.ctx, "customer", quiet)
            bindings_clear_marks(pushed)
            if len(changed) < BATCH:
                break
            changed = dirty_customers(scope, after=changed[-1].binding_id, limit=BATCH)

    def retry(self, error: IntegrationError) -> Resolved:
        require_catalogue_owner(self)
        self._scope = scope_of(self, "customer")
        self._start_pending()
        customer = connect_customer(int(error.record_id))
        if customer is None:
            raise RecordError("customer_gone", CUSTOMER_GONE)
        row = bound_row(self._scope, "customer", customer.customer_id)
        if row is not None:
            self._push(
                int(row.external_id), customer_state(customer), row.pushed_state, row.binding_id
            )
            return Resolved(EXPORTED)
        if error.code == "unconfirmed":
            # The operator checked Hiboutik has no copy of it: create it.
            self._pending.remove(customer.customer_id)
        self._export(customer, look_up=True)
        return Resolved(EXPORTED)

    def _start_pending(self) -> None:
        """The creates a stopped run may have left unbound, and the highest customer id
        Connect had at the first export: customers up to it may be in Hiboutik already."""
        cursors = (self.ctx.run.cursor, self.ctx.previous_cursor)
        known = next(
            (c[KNOWN] for c in cursors if isinstance(c, dict) and isinstance(c.get(KNOWN), int)),
            None,
        )
        self._known_before = last_customer_id() if known is None else known
        self._pending = PendingCreates(self.ctx, keep={KNOWN: self._known_before})
        if known is None:
            self._pending.save()

    def _export(self, customer: ConnectCustomer, *, look_up: bool = False) -> None:
        if not customer.identifiable:
            raise RecordError("unidentified", UNIDENTIFIED, {"id": customer.customer_id})
        client = self.ctx.client
        desired = customer_state(customer)
        look_up = (
            look_up
            or customer.customer_id <= self._known_before
            or customer.customer_id in self._pending
        )
        if customer.email and look_up:
            found = client.search_customers_by_email(customer.email)
            if len(found) > 1:
                raise RecordError(
                    "several", SEVERAL, {"count": len(found), "email": customer.email}
                )
            if found:
                hiboutik_id = found[0].customer_id
                observed = customer_observed_state(found[0])
                binding_id = self._bind(customer, hiboutik_id, observed)
                self._push(hiboutik_id, desired, observed, binding_id)
                self._pending.remove(customer.customer_id)
                self.ctx.count(updated=1)
                return
        elif customer.customer_id in self._pending:
            raise RecordError("unconfirmed", UNCONFIRMED, {"id": customer.customer_id})
        self._pending.add(customer.customer_id)
        try:
            hiboutik_id = client.create_customer(new_customer(customer))
        except (HiboutikValidationError, HiboutikNotFound):
            self._pending.remove(customer.customer_id)
            raise
        self._bind(customer, hiboutik_id, desired)
        self._pending.remove(customer.customer_id)
        self.ctx.count(created=1)

    def _push(self, hiboutik_id: int, desired: dict, held: dict, binding_id: int) -> None:
        """One PUT per field that differs; what was sent is recorded even if a later PUT
        fails, so a retry sends only the rest."""
        state = dict(held)
        try:
            for attribute, value in customer_changes(desired, held):
                self.ctx.client.update_customer(hiboutik_id, attribute, value)
                state[attribute] = value
        finally:
            if state != held:
                binding_set_pushed_state(ExternalBinding(pk=binding_id), state)

    def _bind(self, customer: ConnectCustomer, hiboutik_id: int, state: dict) -> int:
        """Bind; returns the binding's id."""
        binding = NewBinding(customer.customer_id, str(hiboutik_id), state)
        bound = bindings_bind_many(scope=self._scope, object_type="customer", bindings=[binding])
        if customer.customer_id not in bound:
            raise RecordError("already_bound", ALREADY_BOUND, {"id": hiboutik_id})
        return ExternalBinding.objects.values_list("pk", flat=True).get(
            scope=self._scope, object_type="customer", object_id=customer.customer_id
        )
