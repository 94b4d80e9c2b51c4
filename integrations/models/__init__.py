"""What every integration shares: the integration rows and their schedules, runs, errors,
received events and external id bindings, the API-call ledger, and the bell's notifications."""

from integrations.models.bindings import ExternalBinding
from integrations.models.errors import IntegrationError
from integrations.models.events import IntegrationEvent
from integrations.models.integration import Integration
from integrations.models.ledger import ApiCallCount, ApiQuotaMonth
from integrations.models.notifications import Notification, NotificationRead
from integrations.models.runs import FlowRun, FlowSchedule
from integrations.models.stock import ExternalStock, ExternalStockAdjustment, ExternalStockPush

__all__ = [
    "ApiCallCount",
    "ApiQuotaMonth",
    "ExternalBinding",
    "ExternalStock",
    "ExternalStockAdjustment",
    "ExternalStockPush",
    "FlowRun",
    "FlowSchedule",
    "Integration",
    "IntegrationError",
    "IntegrationEvent",
    "Notification",
    "NotificationRead",
]
