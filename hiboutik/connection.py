"""*Tester la connexion* for a Hiboutik integration, with its saved settings.

Two calls when everything works: `GET /stores` (the credentials, and whether the configured
store exists) and `GET /webhooks` (whether the user has the rights Connect needs: Hiboutik
answers 403 to a user without them). Nothing is called when the settings are incomplete or the
month's quota does not allow it; the report then says so.
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext_noop

from hiboutik.config import ConfigInvalid, HiboutikConfig
from hiboutik.errors import (
    HiboutikAuthError,
    HiboutikError,
    HiboutikQuotaExhausted,
    HiboutikThrottled,
)
from hiboutik.reference import INTERACTIVE_CLIENT, reference_forget
from integrations.concurrency import GateTimeout
from integrations.connection import ConnectionReport, ConnectionStatus, ReportLine
from integrations.flows import FlowFailed
from integrations.models import Integration
from integrations.selectors.quota import integration_quota_use

Status = ConnectionStatus


def _quota_line(integration: Integration) -> tuple[ReportLine | None, object]:
    use = integration_quota_use(integration)
    if use is None:
        return None, None
    # The report is shown in the request that made it: numbers written in the reader's way.
    line = ReportLine(
        gettext_noop("API calls this month: %(calls)s of %(quota)s (%(percent)s %%)."),
        {
            "calls": number_format(use.calls, force_grouping=True),
            "quota": number_format(use.quota, force_grouping=True),
            "percent": number_format(use.percent, 1),
        },
    )
    return line, use


def test_connection(integration: Integration) -> ConnectionReport:
    try:
        config = HiboutikConfig.parse(integration.config or {})
    except ConfigInvalid:
        return ConnectionReport(
            Status.INCOMPLETE,
            gettext_noop("The configuration is not valid: save it first, then test again."),
        )
    general = config.general
    if not general.account or not general.user or not integration.secret("api_key"):
        return ConnectionReport(
            Status.INCOMPLETE,
            gettext_noop("Fill in the account, the user email and the API key, save, then test."),
        )
    quota_line, use = _quota_line(integration)
    lines = (quota_line,) if quota_line else ()
    if use is not None and use.blocked:
        return ConnectionReport(
            Status.QUOTA_BLOCKED,
            gettext_noop(
                "This month's API calls are spent: nothing calls Hiboutik until the month "
                "changes, so the connection was not tested."
            ),
            lines=lines,
        )
    if use is not None and use.essential_only:
        return ConnectionReport(
            Status.QUOTA_BLOCKED,
            gettext_noop(
                "%(percent)s %% of this month's API calls are used: they are kept for the "
                "order import and the stock export, so the connection was not tested."
            ),
            {"percent": 95},
            lines=lines,
        )
    try:
        client = integration.type_spec.client_factory(integration, **INTERACTIVE_CLIENT)
    except FlowFailed as failed:
        return ConnectionReport(Status.INCOMPLETE, failed.message, failed.params)
    calls = 0
    try:
        stores = client.list_stores()
        calls += 1
        client.list_webhooks()
        calls += 1
    except HiboutikAuthError as error:
        return _refused(error, calls, lines)
    except HiboutikQuotaExhausted:
        return ConnectionReport(
            Status.QUOTA_BLOCKED,
            gettext_noop("Hiboutik says this month's API calls are spent."),
            lines=lines,
        )
    except (HiboutikThrottled, GateTimeout) as error:
        return ConnectionReport(
            Status.UNREACHABLE,
            gettext_noop(
                "Hiboutik could not be reached at %(url)s (%(detail)s): check the account, "
                "or try again in a moment."
            ),
            {"url": general.base_url, "detail": str(error)[:200]},
            lines=lines,
        )
    except HiboutikError as error:
        return ConnectionReport(
            Status.FAILED,
            gettext_noop("Hiboutik answered with an error: %(detail)s"),
            {"detail": str(error)[:300]},
            lines=lines,
        )
    finally:
        client.close()
    # The pick-lists may have been refused with the old settings: read them again.
    reference_forget(integration)
    found = [
        ReportLine(
            gettext_noop("Stores of the account: %(stores)s."),
            {"stores": ", ".join(f"{store.name} (#{store.store_id})" for store in stores)},
        )
    ]
    wanted = config.order_import.hiboutik_store_id
    if wanted and wanted not in {store.store_id for store in stores}:
        found.append(
            ReportLine(
                gettext_noop(
                    "The Hiboutik store #%(store)s of the configuration does not exist in this "
                    "account: choose one of the stores above."
                ),
                {"store": wanted},
                level="warning",
            )
        )
    return ConnectionReport(
        Status.OK,
        gettext_noop(
            "Connected to Hiboutik account %(account)s as %(user)s, with the rights Connect needs."
        ),
        {"account": general.account, "user": general.user},
        lines=(*found, *lines),
    )


def _refused(error: HiboutikAuthError, calls: int, lines: tuple) -> ConnectionReport:
    if error.status == 403 or calls:
        # The first call went through: the key is right, the user lacks rights.
        return ConnectionReport(
            Status.MISSING_RIGHTS,
            gettext_noop(
                "Hiboutik accepted the credentials but the user lacks rights (%(detail)s): "
                "in Hiboutik, give this user the administrator rights, or use the key of a user "
                "who has them."
            ),
            {"detail": error.message[:200]},
            lines=lines,
        )
    return ConnectionReport(
        Status.CREDENTIALS_REFUSED,
        gettext_noop(
            "Hiboutik refused the credentials: check the account, the user's login email and "
            "the API key (Hiboutik: Paramètres > Utilisateurs, wrench icon)."
        ),
        lines=lines,
    )
