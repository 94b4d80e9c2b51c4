from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="integration_list"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/panel/", views.notification_dropdown, name="notification_dropdown"),
    path("notifications/read-all/", views.notification_mark_all_read, name="notification_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
]
