"""A process of its own calling Hiboutik through an integration's real client, as a worker
would: `python -m tests.integrations.call_burst <integration id> <threads> <calls per thread>`.

Started several times at once by the cross-process tests, with the test database and broker in
its environment; prints {"made": n, "refused": n} once every thread stopped (a thread stops at
its first refusal by the ledger).
"""

import json
import sys
import threading


def main(integration_id: int, threads: int, calls: int) -> dict:
    import django

    django.setup()
    from django.db import connection

    from hiboutik.errors import HiboutikQuotaExhausted
    from hiboutik.integration import make_client
    from integrations.metering import metered
    from integrations.models import Integration

    integration = Integration.objects.get(pk=integration_id)
    totals = {"made": 0, "refused": 0}
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        client = make_client(integration)
        made = refused = 0
        start.wait()
        try:
            with metered("burst", essential=True):
                for _ in range(calls):
                    try:
                        client.list_stores()
                    except HiboutikQuotaExhausted:
                        refused += 1
                        break
                    made += 1
        finally:
            client.close()
            connection.close()
            with lock:
                totals["made"] += made
                totals["refused"] += refused

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return totals


if __name__ == "__main__":
    print(json.dumps(main(*(int(arg) for arg in sys.argv[1:4]))))
