"""Admin pages that write through the domain services.

A model whose writes carry rules or change tracking in its services (products, customers) is
edited in the admin through those services: the form checks the values with the services'
own check, then `save_model` creates or updates with the service, never with `Model.save()`.
Deleting is not offered: no service deletes them, and orders keep pointing at them.
"""

from collections.abc import Callable, Sequence

from django import forms
from django.contrib import admin
from django.db import models


class ServiceForm(forms.ModelForm):
    """A ModelForm whose values are also checked by a service's check function."""

    check_values: Callable[[dict], dict]
    errors_checked: tuple[type[Exception], ...] = ()

    def clean(self) -> dict:
        cleaned = super().clean()
        values = {name: cleaned[name] for name in self._meta.fields if name in cleaned}
        try:
            type(self).check_values(values)
        except self.errors_checked as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


class ServiceWriteAdmin(admin.ModelAdmin):
    """`create(**values)` and `update(instance, **changes)` write: the form's values when
    adding, the changed ones when changing (`create_only` fields are read-only then)."""

    create: Callable[..., models.Model]
    update: Callable[..., object]
    create_only: Sequence[str] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + tuple(self.create_only) if obj is not None else fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name not in self.create_only
            }
            type(self).update(type(obj).objects.get(pk=obj.pk), **changes)
            obj.refresh_from_db()
            return
        created = type(self).create(**form.cleaned_data)
        # The admin goes on with `obj` (messages, redirect): make it the row just created.
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()
