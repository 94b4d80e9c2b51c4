"""External id bindings: unique per scope both ways, so a duplicate is impossible; what one
Hiboutik account shares is bound per account, the rest per integration."""

import pytest
from django.db import IntegrityError, transaction

from integrations.models import ExternalBinding
from integrations.selectors.bindings import (
    binding_scope,
    external_ids_for,
    object_id_for,
    object_ids_for,
)
from integrations.services.bindings import (
    BindingConflict,
    NewBinding,
    binding_bind,
    binding_set_pushed_state,
    binding_unbind,
    bindings_add_many,
)
from tests.integrations.conftest import hiboutik_integration_for

pytestmark = pytest.mark.django_db


def test_binding_is_idempotent_and_read_both_ways():
    first = binding_bind(scope="integration:1", object_type="order", object_id=7, external_id=1001)
    again = binding_bind(
        scope="integration:1", object_type="order", object_id=7, external_id="1001"
    )
    assert again.pk == first.pk and ExternalBinding.objects.count() == 1
    assert object_id_for(scope="integration:1", object_type="order", external_id=1001) == 7
    assert object_ids_for(scope="integration:1", object_type="order", external_ids=[1001, 9]) == {
        "1001": 7
    }
    assert external_ids_for(scope="integration:1", object_type="order", object_ids=[7]) == {
        7: "1001"
    }


def test_either_side_bound_elsewhere_is_a_conflict_naming_the_existing_binding():
    binding_bind(scope="integration:1", object_type="order", object_id=7, external_id="1001")
    with pytest.raises(BindingConflict) as taken_id:
        binding_bind(scope="integration:1", object_type="order", object_id=8, external_id="1001")
    assert taken_id.value.existing.object_id == 7
    with pytest.raises(BindingConflict) as taken_object:
        binding_bind(scope="integration:1", object_type="order", object_id=7, external_id="1002")
    assert taken_object.value.existing.external_id == "1001"
    # The database refuses it too, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalBinding.objects.create(
            scope="integration:1", object_type="order", object_id=9, external_id="1001"
        )


def test_the_same_external_id_in_two_scopes_never_collides():
    binding_bind(scope="integration:1", object_type="order", object_id=7, external_id="1001")
    binding_bind(scope="integration:2", object_type="order", object_id=8, external_id="1001")
    binding_bind(scope="integration:1", object_type="customer", object_id=7, external_id="1001")
    assert object_id_for(scope="integration:2", object_type="order", external_id="1001") == 8
    assert ExternalBinding.objects.count() == 3


def test_hiboutik_binds_products_per_account_and_orders_per_store(simulator):
    paris = hiboutik_integration_for(simulator, name="paris")
    lyon = hiboutik_integration_for(simulator, name="lyon")
    other_account = hiboutik_integration_for(simulator, name="elsewhere", account="other")
    assert binding_scope(paris, "product") == binding_scope(lyon, "product")
    assert binding_scope(paris, "customer") == binding_scope(lyon, "customer")
    assert binding_scope(paris, "product") != binding_scope(other_account, "product")
    assert binding_scope(paris, "order") == f"integration:{paris.pk}"
    assert binding_scope(lyon, "order") == f"integration:{lyon.pk}"


def test_pushed_state_and_unbinding():
    binding = binding_bind(
        scope="hiboutik:demo", object_type="product", object_id=3, external_id="12"
    )
    assert binding.pushed_at is None
    binding_set_pushed_state(binding, {"price": "9.90"})
    binding.refresh_from_db()
    assert binding.pushed_state == {"price": "9.90"} and binding.pushed_at is not None
    assert binding_unbind(scope="hiboutik:demo", object_type="product", object_id=3) == 1
    assert not ExternalBinding.objects.exists()


def test_objects_of_several_types_are_bound_at_once_and_a_taken_pair_is_left_out(
    django_assert_num_queries,
):
    binding_bind(scope="integration:1", object_type="order_line", object_id=9, external_id="L0")
    with django_assert_num_queries(1):
        bindings_add_many(
            scope="integration:1",
            bindings={
                "order": [NewBinding(7, "1001", {})],
                "order_line": [NewBinding(8, "L1", {}), NewBinding(9, "L2", {})],
            },
        )
    bound = set(ExternalBinding.objects.values_list("object_type", "object_id", "external_id"))
    assert bound == {("order", 7, "1001"), ("order_line", 8, "L1"), ("order_line", 9, "L0")}
