"""Webhook registrations: create, list, delete, validation."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api


def test_register_list_and_delete(api: Api) -> None:
    created = api.post(
        "/webhooks",
        data={
            "webhook_label": "Connect",
            "webhook_url": "https://connect.test/h/abc",
            "webhook_action": "sale",
            "webhook_app_id_int": "connect",
        },
    )
    assert created.status_code == 200
    webhook_id = created.json()["webhook_id"]
    listed = api.get("/webhooks/").json()
    assert [
        (w["webhook_id"], w["webhook_url"], w["webhook_action"], w["webhook_async"]) for w in listed
    ] == [(webhook_id, "https://connect.test/h/abc", "sale", 0)]
    assert api.delete(f"/webhooks/{webhook_id}").status_code == 200
    assert api.get("/webhooks").json() == []
    assert api.delete(f"/webhooks/{webhook_id}").status_code == 404


def test_registration_is_validated(api: Api) -> None:
    response = api.post(
        "/webhooks",
        json={"webhook_url": "ftp://x", "webhook_action": "sold", "webhook_async": 3},
    )
    assert response.status_code == 422
    assert set(response.json()["details"]) == {
        "webhook_label",
        "webhook_url",
        "webhook_action",
        "webhook_async",
    }
    assert api.get("/webhooks").json() == []
