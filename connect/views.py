from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from connect.context_processors import menu_for


def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the first page their role opens; say so plainly when there is none."""
    menu = menu_for(request.user)
    if menu:
        return redirect(menu[0]["items"][0]["url"])
    return render(request, "no_access.html", status=403)
