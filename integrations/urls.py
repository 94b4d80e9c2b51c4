from django.urls import path

from integrations.views import (
    configuration,
    errors,
    events,
    flows,
    history,
    integrations,
    notifications,
    pages,
    quota,
    webhook,
)

app_name = "integrations"

urlpatterns = [
    path("", integrations.integration_list, name="integration_list"),
    path("add/", integrations.integration_add, name="integration_add"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/panel/",
        notifications.notification_dropdown,
        name="notification_dropdown",
    ),
    path("notifications/count/", notifications.notification_count, name="notification_count"),
    path(
        "notifications/read-all/",
        notifications.notification_mark_all_read,
        name="notification_read_all",
    ),
    path(
        "notifications/<int:pk>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path("<int:pk>/", integrations.integration_detail, name="integration_detail"),
    # Configuration (admins)
    path("<int:pk>/configuration/", configuration.configuration, name="integration_config"),
    path(
        "<int:pk>/configuration/test/",
        configuration.test_connection,
        name="integration_test_connection",
    ),
    path(
        "<int:pk>/configuration/lists/",
        configuration.refresh_lists,
        name="integration_refresh_lists",
    ),
    path("<int:pk>/webhook/", webhook.webhook, name="integration_webhook"),
    path(
        "<int:pk>/webhook/register/",
        webhook.webhook_register_now,
        name="integration_webhook_register",
    ),
    path("<int:pk>/webhook/rotate/", webhook.webhook_rotate, name="integration_webhook_rotate"),
    # Flows, runs (operators; schedules: admins)
    path("<int:pk>/flows/", flows.flows, name="integration_flows"),
    path("<int:pk>/flows/<str:flow_key>/schedule/", flows.flow_schedule, name="flow_schedule"),
    path("<int:pk>/flows/<str:flow_key>/run/", flows.flow_run, name="flow_run"),
    path("<int:pk>/history/", history.history, name="integration_history"),
    path("<int:pk>/runs/<int:run_pk>/", history.run_detail, name="run_detail"),
    path("<int:pk>/runs/<int:run_pk>/status/", flows.run_status, name="run_status"),
    # Errors and events (operators)
    path("<int:pk>/errors/", errors.errors, name="integration_errors"),
    path("<int:pk>/errors/list/", errors.error_list, name="error_list"),
    path("<int:pk>/errors/results/", errors.error_results, name="error_results"),
    path("<int:pk>/events/", events.events, name="integration_events"),
    path("<int:pk>/events/<int:event_pk>/", events.event_row, name="event_row"),
    path("<int:pk>/events/<int:event_pk>/payload/", events.event_payload, name="event_payload"),
    path(
        "<int:pk>/events/<int:event_pk>/reprocess/",
        events.event_reprocess,
        name="event_reprocess",
    ),
    path("<int:pk>/quota/", quota.quota, name="integration_quota"),
    # Tabs contributed by a type or a flow (integrations.tabs): last, as a catch-all.
    path("<int:pk>/<slug:tab>/", pages.contributed_tab, name="integration_tab"),
]
