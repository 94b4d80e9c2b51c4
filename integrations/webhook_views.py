"""The webhook endpoint: `POST /webhooks/<type>/<token>/`.

No login, no CSRF token (the other side has neither): the secret token in the URL is the
credential, checked in constant time; an unknown token answers 404. The body is read up to
WEBHOOK_MAX_BODY_BYTES (413 beyond), parsed by the integration type, stored as events and
answered at once; flows process the events in tasks. A body the type cannot read is kept
too (type "unreadable", not done) and answered 400 with why.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.registry import WebhookRejected, find_type
from integrations.services.webhooks import (
    integration_for_token,
    webhook_store,
    webhook_store_unreadable,
)


class BodyTooLarge(Exception):
    pass


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The raw body, never more than `limit` bytes read (a lying or absent Content-Length
    included)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge
    body = request.read(limit + 1)
    if len(body) > limit:
        raise BodyTooLarge
    return body


@csrf_exempt
@login_not_required
@require_POST
def webhook_receive(request: HttpRequest, type_key: str, token: str) -> HttpResponse:
    spec = find_type(type_key)
    integration = integration_for_token(type_key, token)
    if integration is None or spec is None or spec.parse_webhook is None:
        raise Http404
    try:
        body = read_body(request, settings.WEBHOOK_MAX_BODY_BYTES)
    except BodyTooLarge:
        return HttpResponse(status=413)
    try:
        received = spec.parse_webhook(request, body)
    except WebhookRejected as rejected:
        webhook_store_unreadable(integration, body, rejected)
        return spec.webhook_answer([], rejected)
    webhook_store(integration, received)
    return spec.webhook_answer(received, None)
