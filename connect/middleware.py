"""Project middleware."""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required middleware, told apart for htmx requests.

    An htmx request of an expired session would otherwise follow the redirect and swap the
    login form into the page. It gets an `HX-Redirect` to the login page instead, whose `next`
    is the page the user was on (htmx's `HX-Current-URL`), not the fragment it asked for.
    """

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if not getattr(request, "htmx", False):
            return super().handle_no_permission(request, view_func)
        # The page's address when it is on this site (django-htmx checks), else the request's.
        page = request.htmx.current_url_abs_path or request.get_full_path()
        login = redirect_to_login(page, resolve_url(settings.LOGIN_URL))
        return HttpResponseClientRedirect(login["Location"])
