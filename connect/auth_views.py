"""Signing in and out."""

from urllib.parse import urlsplit

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator


class LoginView(auth_views.LoginView):
    """Django's sign-in page, except that it never sends back to the sign-out address (a link
    to /logout/ followed while signed out would sign the user out again at once)."""

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        if url and urlsplit(url).path == reverse("logout"):
            return ""
        return url


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """Signing out is a POST (a link or a prefetch must not sign anyone out). A GET — a typed
    or bookmarked address — shows the button to do it instead of a blank 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "registration/logout_confirm.html")
