from django.db import models
from django.utils.translation import gettext_lazy as _

from integrations.models.integration import Integration


class ApiQuotaMonth(models.Model):
    """The calls made to one external account in one month: the row every process consumes
    from with one conditional UPDATE (`integrations.ledger.DatabaseCallLedger`)."""

    account_key = models.CharField(_("account"), max_length=200)
    month = models.CharField(_("month"), max_length=7)  # YYYY-MM, the account's calendar
    calls = models.PositiveIntegerField(_("calls"), default=0)
    quota = models.PositiveIntegerField(_("quota"), default=10_000)
    # The other side said the month's quota is spent (other apps share it): nothing more.
    exhausted_at = models.DateTimeField(_("exhausted at"), null=True, blank=True)
    # The highest warning threshold (50, 80, 95, 100 %) already notified this month.
    notified_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("API quota month")
        verbose_name_plural = _("API quota months")
        ordering = ["account_key", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_key", "month"], name="integrations_quota_unique_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_key} {self.month}: {self.calls}/{self.quota}"


class ApiCallCount(models.Model):
    """Calls by day, integration and flow ("" for calls outside a flow run, such as testing
    the connection): the Quota tab's breakdown."""

    account_key = models.CharField(_("account"), max_length=200)
    day = models.DateField(_("day"))
    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="+"
    )
    flow_key = models.CharField(_("flow"), max_length=64, blank=True)
    calls = models.PositiveIntegerField(_("calls"), default=0)

    class Meta:
        verbose_name = _("API call count")
        verbose_name_plural = _("API call counts")
        ordering = ["account_key", "-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_key", "day", "integration", "flow_key"],
                name="integrations_callcount_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_key} {self.day} {self.flow_key or '-'}: {self.calls}"
