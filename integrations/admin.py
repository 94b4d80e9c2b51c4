from django.contrib import admin

from integrations.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "user", "created_at", "read_at"]
    list_filter = ["level", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "message"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
