"""The transport on its own; its retry, ledger, gate and logging behaviour is exercised
through the client's routes in test_client.py."""

import pytest
import requests
import responses

from hiboutik.errors import HiboutikError, HiboutikPayloadError
from hiboutik.retry import Retry
from hiboutik.transport import HiboutikTransport, rows

BASE = "https://acme.hiboutik.com/api"


class RecordingSession(requests.Session):
    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


def test_rows_accepts_lists_and_empty_bodies_only():
    assert rows([1, 2], "x") == [1, 2]
    assert rows(None, "x") == []
    assert rows({}, "x") == []
    with pytest.raises(HiboutikPayloadError, match="/taxes: expected a list"):
        rows({"tax_id": 1}, "/taxes")


def test_context_manager_closes_the_given_session():
    session = RecordingSession()
    with HiboutikTransport(base_url=BASE, user="u@x.fr", api_key="K1", session=session) as t:
        assert t._session is session
    assert session.closed


def test_repr_names_the_account_but_not_the_key():
    transport = HiboutikTransport(base_url=BASE + "/", user="u@x.fr", api_key="TOPSECRET")
    assert transport.base_url == BASE
    assert "acme.hiboutik.com" in repr(transport)
    assert "TOPSECRET" not in repr(transport)


def test_a_redirect_is_an_error_and_is_not_followed():
    # Following it could carry the Authorization header to another host.
    transport = HiboutikTransport(base_url=BASE, user="u@x.fr", api_key="K1")
    with responses.RequestsMock() as mocked:
        mocked.get(f"{BASE}/taxes", status=302, headers={"Location": "https://evil.test/"})
        with pytest.raises(HiboutikError, match="unexpected redirect") as caught:
            transport._send("GET", "/taxes", retry=Retry.READ, essential=False)
        assert len(mocked.calls) == 1
    assert caught.value.status == 302


def test_any_2xx_is_a_success():
    transport = HiboutikTransport(base_url=BASE, user="u@x.fr", api_key="K1")
    with responses.RequestsMock() as mocked:
        mocked.put(f"{BASE}/product/1", status=204)
        mocked.post(f"{BASE}/products", status=201, json={"product_id": 3})
        assert transport._send("PUT", "/product/1", retry=Retry.IDEMPOTENT, essential=False) is None
        assert transport._send("POST", "/products", essential=False) == {"product_id": 3}
