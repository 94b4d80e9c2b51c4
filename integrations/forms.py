"""Forms of the integration pages. Validation only: writes go through `integrations.services`.

A type's Configuration form (``IntegrationType.config_form``, a dotted path) follows one
protocol, which :class:`JsonConfigForm` (for types without a form of their own) implements too:
``Form(data=None, *, integration=None)``; after ``is_valid()``, ``config()`` (the JSON to
store) and ``secrets()`` (secrets to change; empty values keep the stored ones);
``sections()`` (fieldsets: ``key``, ``title``, ``description``, ``fields``);
``show_issues(issues)`` (put the service's `ConfigIssue`-like issues on their fields) and,
optionally, ``notice()`` (a (level, text) shown above the form) and the class method
``refresh_reference(integration)`` (*Recharger les listes*).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.module_loading import import_string
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from integrations.models import FlowRun, Integration, IntegrationError
from integrations.registry import IntegrationType, all_types
from integrations.schedules import Schedule, ScheduleInvalid, crontab_fields
from inventory.forms import FilterForm


def config_form_class(spec: IntegrationType) -> type[forms.Form]:
    return import_string(spec.config_form) if spec.config_form else JsonConfigForm


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    description: Any
    fields: list


class JsonConfigForm(forms.Form):
    """The configuration of a type without a form of its own, as JSON."""

    config_json = forms.CharField(
        label=_("Configuration (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono", "spellcheck": "false"}),
    )

    def __init__(self, data=None, *, integration: Integration | None = None, **kwargs) -> None:
        initial = {"config_json": json.dumps(integration.config if integration else {}, indent=2)}
        super().__init__(data, initial=initial, **kwargs)

    def clean_config_json(self) -> dict:
        text = self.cleaned_data["config_json"].strip() or "{}"
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                gettext("Not valid JSON: %(error)s") % {"error": error}
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(gettext("Enter a JSON object: {...}"))
        return value

    def config(self) -> dict:
        return self.cleaned_data["config_json"]

    def secrets(self) -> dict:
        return {}

    def sections(self) -> list[Section]:
        return [Section("config", _("Configuration"), "", [self["config_json"]])]

    def show_issues(self, issues) -> None:
        for issue in issues:
            self.add_error("config_json", str(getattr(issue, "path", "")) + ": " + str(issue))


class IntegrationForm(forms.Form):
    """What every integration has, whatever its type: a unique name and whether it runs."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Unique; e.g. the store's name. Used by the management commands."),
    )
    enabled = forms.BooleanField(
        label=_("Enabled"),
        required=False,
        initial=True,
        help_text=_("Disabled: no flow runs and no webhook is processed; the schedules are kept."),
    )

    def __init__(self, *args, integration: Integration | None = None, **kwargs) -> None:
        self.integration = integration
        if integration is not None:
            kwargs.setdefault("initial", {"name": integration.name, "enabled": integration.enabled})
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Integration.objects.filter(name=name)
        if self.integration is not None:
            others = others.exclude(pk=self.integration.pk)
        if others.exists():
            raise forms.ValidationError(gettext("Another integration already has this name."))
        return name


class TypeChoiceForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(spec.key, spec.label) for spec in all_types()]


class ScheduleForm(forms.Form):
    """One flow's schedule on the Flux tab: enabled, every N minutes or a crontab line."""

    EVERY, CRON, MANUAL = "every", "cron", "manual"

    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    kind = forms.ChoiceField(
        label=_("Schedule"),
        choices=[
            (EVERY, _("Every N minutes")),
            (CRON, _("Crontab")),
            (MANUAL, _("On demand only")),
        ],
        widget=forms.RadioSelect,
    )
    every_minutes = forms.IntegerField(
        label=_("Every (minutes)"), required=False, min_value=1, max_value=7 * 24 * 60
    )
    crontab = forms.CharField(
        label=_("Crontab line"),
        required=False,
        max_length=100,
        help_text=_("minute hour day-of-month month day-of-week, Paris time; e.g. 0 3 * * *"),
    )

    @classmethod
    def initial_for(cls, schedule) -> dict[str, Any]:
        if schedule is None:
            return {"enabled": False, "kind": cls.MANUAL}
        kind = cls.EVERY if schedule.every_minutes else cls.CRON if schedule.crontab else cls.MANUAL
        return {
            "enabled": schedule.enabled,
            "kind": kind,
            "every_minutes": schedule.every_minutes,
            "crontab": schedule.crontab,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == self.EVERY and not cleaned.get("every_minutes"):
            self.add_error("every_minutes", gettext("Enter how many minutes between runs."))
        if kind == self.CRON:
            line = " ".join((cleaned.get("crontab") or "").split())
            try:
                crontab_fields(line)
            except ScheduleInvalid:
                self.add_error(
                    "crontab",
                    gettext(
                        "Enter five fields: minute hour day-of-month month day-of-week, "
                        "e.g. 0 3 * * * for every day at 3:00."
                    ),
                )
            cleaned["crontab"] = line
        if kind == self.MANUAL and cleaned.get("enabled"):
            self.add_error(
                "enabled", gettext("A flow run on demand only has no schedule to enable.")
            )
        return cleaned

    def schedule(self) -> Schedule | None:
        kind = self.cleaned_data["kind"]
        if kind == self.EVERY:
            return Schedule.every(self.cleaned_data["every_minutes"])
        if kind == self.CRON:
            return Schedule.cron(self.cleaned_data["crontab"])
        return None


def _flow_choices(integration: Integration) -> list[tuple[str, Any]]:
    return [("", _("All flows"))] + [(flow.key, flow.label) for flow in integration.type_spec.flows]


class RunFilterForm(FilterForm):
    flow = forms.ChoiceField(label=_("Flow"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, integration: Integration, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flow"].choices = _flow_choices(integration)
        self.fields["status"].choices = [("", _("All statuses")), *FlowRun.Status.choices]


class ErrorFilterForm(FilterForm):
    ALL = "all"

    status = forms.ChoiceField(label=_("Status"), required=False)
    flow = forms.ChoiceField(label=_("Flow"), required=False)
    code = forms.ChoiceField(label=_("Error"), required=False)
    q = forms.CharField(
        label=_("Record"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. a sale number")}),
    )
    error = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, integration: Integration, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (IntegrationError.Status.OPEN, _("Open")),
            (IntegrationError.Status.RESOLVED, _("Resolved")),
            (IntegrationError.Status.DELETED, _("Deleted")),
            (self.ALL, _("All statuses")),
        ]
        self.fields["flow"].choices = _flow_choices(integration)
        codes = (
            IntegrationError.objects.filter(integration=integration)
            .order_by("code")
            .values_list("code", flat=True)
            .distinct()
        )
        self.fields["code"].choices = [("", _("All errors")), *((code, code) for code in codes)]

    def selection(self) -> dict[str, Any]:
        """Keyword arguments of `errors_of`. One error asked by id shows whatever its status
        (the bell links to it, and it may be resolved since)."""
        data = self.valid_data()
        if data["error"]:
            return {"status": "", "error_id": data["error"]}
        status = data["status"] or IntegrationError.Status.OPEN
        return {
            "status": "" if status == self.ALL else status,
            "flow_key": data["flow"] or "",
            "code": data["code"] or "",
            "search": data["q"] or "",
        }


class ErrorActionForm(forms.Form):
    RETRY, DELETE = "retry", "delete"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("", _("— choose —")),
            (RETRY, pgettext_lazy("error action", "Retry")),
            (DELETE, pgettext_lazy("error action", "Delete")),
        ],
    )
    ids = forms.TypedMultipleChoiceField(coerce=int)

    def __init__(self, *args, integration: Integration, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.integration = integration
        # Only this integration's errors can be acted on, whatever ids the request carries.
        open_ids = IntegrationError.objects.filter(
            integration=integration, status=IntegrationError.Status.OPEN
        ).values_list("pk", flat=True)
        self.fields["ids"].choices = [(str(pk), str(pk)) for pk in open_ids]
        self.fields["ids"].error_messages["required"] = _("Tick at least one error.")
        self.fields["ids"].error_messages["invalid_choice"] = _(
            "An error ticked is no longer open (another operator handled it): reload the page."
        )

    def errors_chosen(self) -> list[IntegrationError]:
        return list(
            IntegrationError.objects.filter(
                integration=self.integration, pk__in=self.cleaned_data["ids"]
            ).order_by("-last_seen_at", "-id")
        )


class EventFilterForm(FilterForm):
    type = forms.ChoiceField(label=_("Type"), required=False)
    done = forms.ChoiceField(
        label=_("Done"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
    )
    q = forms.CharField(
        label=_("External id"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, integration: Integration, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        types = integration.events.order_by("type").values_list("type", flat=True).distinct()
        self.fields["type"].choices = [("", _("All types")), *((t, t) for t in types)]

    def selection(self) -> dict[str, Any]:
        data = self.valid_data()
        return {
            "event_type": data["type"] or "",
            "done": {"yes": True, "no": False}.get(data["done"] or ""),
        }

    def search(self) -> str:
        return (self.valid_data()["q"] or "").strip()
