import pytest

from tests.factories import make_admin, make_ops


@pytest.fixture
def admin_client(client):
    client.force_login(make_admin())
    return client


@pytest.fixture
def ops_client(client):
    client.force_login(make_ops())
    return client
