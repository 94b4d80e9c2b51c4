"""Forms of the actions on orders and returns. They validate what was typed; the services
decide and write."""

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse
from sales.models import Order, OrderLine, Rma, RmaLine
from sales.services import RmaLineSpec, RmaReceiptLine


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the history)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OrderNoteForm(forms.Form):
    message = forms.CharField(
        label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RmaCreateForm(forms.Form):
    """A return of an order's shipped lines: a quantity and *back to stock* per line."""

    reason = forms.CharField(
        label=_("Reason for the return"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order_lines = [
            line
            for line in order.lines.select_related("product")
            if line.qty_shipped > line.qty_returned
        ]
        for line in self.order_lines:
            returnable = line.qty_shipped - line.qty_returned
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=_("Quantity returned of %(sku)s") % {"sku": line.sku},
                min_value=0,
                max_value=returnable,
                initial=0,
                required=False,
            )
            self.fields[f"restock_{line.pk}"] = forms.BooleanField(
                label=_("Back to stock"), required=False, initial=True
            )

    def rows(self) -> list[dict]:
        return [
            {
                "line": line,
                "returnable": line.qty_shipped - line.qty_returned,
                "quantity": self[f"qty_{line.pk}"],
                "restock": self[f"restock_{line.pk}"],
            }
            for line in self.order_lines
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors and not self.specs():
            raise forms.ValidationError(_("Give the quantity returned of at least one line."))
        return cleaned

    def specs(self) -> list[RmaLineSpec]:
        return [
            RmaLineSpec(
                order_line=line,
                quantity=self.cleaned_data[f"qty_{line.pk}"],
                back_to_stock=self.cleaned_data[f"restock_{line.pk}"],
            )
            for line in self.order_lines
            if self.cleaned_data.get(f"qty_{line.pk}")
        ]


class RmaReceiveForm(forms.Form):
    """How each returned line comes back: to stock or not, and into which warehouse."""

    refund = forms.BooleanField(
        label=_("Refund the returned items now"), required=False, initial=False
    )

    def __init__(self, *args, rma: Rma, can_refund: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rma_lines: list[RmaLine] = list(
            rma.lines.select_related("order_line", "warehouse").order_by("pk")
        )
        warehouses = Warehouse.objects.filter(active=True)
        for line in self.rma_lines:
            self.fields[f"restock_{line.pk}"] = forms.BooleanField(
                label=_("Back to stock"), required=False, initial=line.back_to_stock
            )
            self.fields[f"warehouse_{line.pk}"] = forms.ModelChoiceField(
                label=_("Warehouse of %(sku)s") % {"sku": line.order_line.sku},
                queryset=warehouses,
                initial=line.warehouse_id or rma.order.warehouse_id,
                empty_label=None,
            )
        if not can_refund:
            del self.fields["refund"]
        else:
            self.fields["refund"].initial = not rma.refunds.exists()

    def rows(self) -> list[dict]:
        return [
            {
                "line": line,
                "restock": self[f"restock_{line.pk}"],
                "warehouse": self[f"warehouse_{line.pk}"],
            }
            for line in self.rma_lines
        ]

    def receipt_lines(self) -> list[RmaReceiptLine]:
        return [
            RmaReceiptLine(
                rma_line=line,
                back_to_stock=self.cleaned_data[f"restock_{line.pk}"],
                warehouse=self.cleaned_data[f"warehouse_{line.pk}"],
            )
            for line in self.rma_lines
        ]


def has_returnable_lines(order: Order) -> bool:
    """Whether some shipped quantity of the order is not returned yet (one query)."""
    return OrderLine.objects.filter(order=order, qty_shipped__gt=F("qty_returned")).exists()
