import re

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language
from django.views.static import serve

from connect import auth_views, views
from integrations.webhook_views import webhook_receive

# The Django admin is Connect's too: its pages say so.
admin.site.site_header = _("Connect administration")
admin.site.site_title = _("Connect administration")
admin.site.index_title = _("Data of Connect")

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("sales/", include("sales.urls")),
    path("inventory/", include("inventory.urls")),
    path("integrations/", include("integrations.urls")),
    # The other side's webhooks: a secret token instead of a login (integrations.webhook_views).
    path("webhooks/<slug:type_key>/<str:token>/", webhook_receive, name="webhook"),
]
# Uploaded files (product images) are served by Django, behind the login like every page, unless
# the deployment lets a web server do it (SERVE_MEDIA=False). static() only works with DEBUG on.
if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
            name="media",
        )
    ]
