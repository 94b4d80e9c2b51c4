"""Inventaire > Édition des stocks en masse > Import CSV: upload `SKU;quantity` lines, preview
the change of every line with its errors, then apply. Writes go through `stock_set_many`."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from inventory.forms import StockEditOptionsForm
from inventory.models import Warehouse
from inventory.services import stock_set_many
from inventory.stock_import import (
    MAX_BYTES,
    ImportFileError,
    ImportLine,
    decode,
    parse_lines,
    preview,
    too_large,
)


class StockImportForm(StockEditOptionsForm):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(active=True), empty_label=None
    )
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_(
            "One line per product: SKU;quantity. A quantity sets the stock; +N or −N adds or "
            "removes. A header line is allowed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    # The previewed file's text, sent back by "Apply" so the lines applied are those shown.
    content = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)

    field_order = ["warehouse", "file", "reason", "note"]

    def reason_label(self) -> str:
        return dict(self.fields["reason"].choices).get(self.cleaned_data.get("reason"), "")

    def lines(self) -> list[ImportLine] | None:
        """The lines of the uploaded file, or of the previewed text when applying; None (with
        the form's error) when there is no readable file."""
        if not self.is_valid():
            return None
        upload = self.cleaned_data.get("file")
        try:
            if upload:
                if upload.size > MAX_BYTES:
                    raise ImportFileError(too_large())
                self.text = decode(upload.read())
            elif self.cleaned_data.get("content"):
                self.text = self.cleaned_data["content"]
            else:
                self.add_error("file", _("Choose a CSV file."))
                return None
            return parse_lines(self.text)
        except ImportFileError as error:
            self.add_error("file", str(error))
            return None


def _apply(lines: list[ImportLine], form: StockImportForm, user: object) -> None:
    ready = {line.product.pk: line for line in lines if line.error is None}
    result = stock_set_many(
        warehouse=form.cleaned_data["warehouse"],
        quantities={pk: line.raw for pk, line in ready.items()},
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        user=user,
    )
    for pk, line in ready.items():
        movement = result.movements.get(pk)
        if pk in result.errors:
            line.error, line.new = result.errors[pk], None
        elif movement is not None:
            # What the row held when it was saved, which may differ from the preview's.
            line.physical = movement.physical_after - movement.quantity
            line.new = movement.physical_after
            line.saved = True


def _counts(lines: list[ImportLine]) -> dict[str, int]:
    return {
        "total": len(lines),
        "errors": sum(1 for line in lines if line.error is not None),
        "changes": sum(1 for line in lines if line.error is None and line.change),
        "saved": sum(1 for line in lines if line.saved),
    }


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_stockitem", raise_exception=True)
def stock_import(request: HttpRequest) -> HttpResponse:
    """Preview by default; `action=apply` applies the previewed text (never a new upload, so
    what is applied is what was shown)."""
    if request.method == "GET":
        asked = request.GET.get("warehouse")
        form = StockImportForm(initial={"warehouse": asked} if asked else None)
        return render(request, "inventory/stock_import.html", {"form": form})
    form = StockImportForm(request.POST, request.FILES)
    lines = form.lines()
    context: dict = {"form": form, "lines": lines}
    if lines is not None:
        preview(lines, form.cleaned_data["warehouse"])
        applying = request.POST.get("action") == "apply" and not request.FILES
        if applying:
            _apply(lines, form, request.user)
        context.update(counts=_counts(lines), applied=applying, content=form.text)
    return render(request, "inventory/stock_import.html", context)
