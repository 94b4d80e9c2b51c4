from django.contrib import admin

from integrations.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "user", "permission", "created_at"]
    list_filter = ["level", "permission"]
    search_fields = ["title", "message"]
    raw_id_fields = ["user", "integration", "error"]
    date_hierarchy = "created_at"
