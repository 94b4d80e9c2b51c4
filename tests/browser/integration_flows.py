"""What the integration page tests run: two Hiboutik flows made for the tests, and a worker.

The flows call the live simulator through the integration's real client (so calls are counted
in the ledger and the Quota tab). They are added to `hiboutik.integration.FLOWS` for one test
only and found by their keys, so the real flows of the type may come and go around them.

The worker runs the tasks the pages enqueue (run a flow, retry an error, reprocess an event) in
a thread of the test process, as a Celery worker would in its own: the page asks, returns at
once, and polls until the database says the work is done.
"""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import close_old_connections, connection, transaction

from hiboutik import integration as hiboutik_type
from integrations import tasks
from integrations.flows import Flow, RecordError, Resolved
from integrations.schedules import Schedule

PROBE_KEY = "test.stores"
SALES_KEY = "test.sales"


class StoresProbe(Flow):
    """Reads the account's stores, slowly enough for the page to show the run going on."""

    key = PROBE_KEY
    label = "Lecture des boutiques (test)"
    recommended_schedule = Schedule.every(5)
    seconds = 2.0

    def run(self) -> None:
        stores = self.ctx.client.list_stores()
        time.sleep(self.seconds)
        for store in stores:
            with self.ctx.record("store", store.store_id):
                self.ctx.count(updated=1)


class SalesImport(Flow):
    """Imports sales 1001 and 1002; a sale listed in `blocked` fails until it is unblocked."""

    key = SALES_KEY
    label = "Import des ventes (test)"
    recommended_schedule = Schedule.every(5)
    blocked: set[str] = set()

    def run(self) -> None:
        for sale in ("1001", "1002"):
            with self.ctx.record("sale", sale, payload={"sale": sale}):
                self.import_sale(sale)
                self.ctx.count(created=1)

    def import_sale(self, sale: str) -> None:
        self.ctx.client.list_stores()  # one real call per sale, as a real import would make
        if sale in self.blocked:
            raise RecordError(
                "stock_missing",
                "Impossible d'importer cette commande car les référence(s) suivante(s) ne "
                "sont pas en stock : TSHIRT-M",
            )

    def retry(self, error) -> Resolved:
        self.import_sale(error.record_id)
        return Resolved("La commande a bien été importée")


@contextmanager
def extra_flows() -> Iterator[None]:
    added = [StoresProbe, SalesImport]
    hiboutik_type.FLOWS.extend(added)
    SalesImport.blocked = set()
    try:
        yield
    finally:
        for flow in added:
            hiboutik_type.FLOWS.remove(flow)


class ThreadWorker:
    """Runs enqueued integration tasks in a background thread, after the commit that asked."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-worker")
        self.futures = []

    def submit(self, task, **kwargs) -> None:
        def work() -> None:
            try:
                task.apply(kwargs=kwargs)
            finally:
                close_old_connections()
                connection.close()

        self.futures.append(self.pool.submit(work))

    def stop(self) -> None:
        """Wait for the tasks; one that raised fails the test, as a crashed task would."""
        self.pool.shutdown(wait=True)
        for future in self.futures:
            future.result()


@contextmanager
def thread_worker(monkeypatch) -> Iterator[ThreadWorker]:
    worker = ThreadWorker()

    def enqueue_run(integration_id, flow_key, trigger, run_id=None):
        kwargs = {
            "integration_id": integration_id,
            "flow_key": flow_key,
            "trigger": trigger,
            "run_id": run_id,
        }
        transaction.on_commit(lambda: worker.submit(tasks.run_flow, **kwargs))

    def enqueue_error_retry(error_id):
        transaction.on_commit(lambda: worker.submit(tasks.retry_error, error_id=error_id))

    def enqueue_event(event_id):
        transaction.on_commit(lambda: worker.submit(tasks.process_event, event_id=event_id))

    monkeypatch.setattr(tasks, "enqueue_run", enqueue_run)
    monkeypatch.setattr(tasks, "enqueue_error_retry", enqueue_error_retry)
    monkeypatch.setattr(tasks, "enqueue_event", enqueue_event)
    try:
        yield worker
    finally:
        worker.stop()
